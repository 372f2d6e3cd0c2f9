"""The console's transcript of a translated conversation: the supplier's message with its translation,
the agent's words with what the supplier got, and a reply that was not sent, with why."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.web_console import describe
from dialogue.handoff.model import Agent, Escalation, Event, Priority, Reason, Status

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ESC = Escalation(
    id=1,
    conversation_key="telegram:7001",
    status=Status.ASSIGNED,
    priority=Priority.NORMAL,
    reasons=(Reason("user_request"),),
    language="zh",
    created_at=AT,
    claim_due_at=AT,
    resolve_due_at=AT,
    updated_at=AT,
    version=2,
    assignee=Agent("slack:UANN", "Ann"),
)


def test_translations_and_refusals_read_plainly_in_the_transcript() -> None:
    came = Event(
        "translated_in",
        "bot",
        AT,
        {"text": "PO-1001 到哪了？", "to": "en", "translation": "Where is PO-1001?", "reason": ""},
    )
    line = describe(came, ESC)
    assert (
        line is not None and line.text == "English translation of the supplier's message: Where is PO-1001?"
    )

    went = Event(
        "agent_message",
        "slack:UANN",
        AT,
        {"text": "It arrives in 3 days.", "sent": "3 天内送达。", "language": "zh"},
    )
    line = describe(went, ESC)
    assert line is not None and (line.who, line.author) == ("agent", "Ann")
    assert line.text == "It arrives in 3 days.\n(sent in Chinese: 3 天内送达。)"

    refused = Event(
        "translation_refused",
        "slack:UANN",
        AT,
        {"text": "2 days late", "reason": "changed_number", "to": "zh"},
    )
    line = describe(refused, ESC)
    assert line is not None
    assert line.text == "Not sent to the supplier (its translation: changed number): 2 days late"

    summary = Event("summary", "bot", AT, {"lines": ["a", "b", "c"]})
    assert describe(summary, ESC) is None  # shown above the transcript, not in it

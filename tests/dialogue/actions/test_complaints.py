"""complaint: acknowledged and escalated to a person; negative sentiment raises the priority."""

from __future__ import annotations

from dialogue.handoff.model import Priority, ReasonCode
from tests.fakes.conversation import Conversation


async def test_complaint_is_escalated_with_priority_from_sentiment() -> None:
    chat = Conversation()
    angry = await chat.one("This is unacceptable, PO-1001 arrived damaged, I want to complain")
    assert angry.outcome == "complaint_escalated"
    assert angry.facts == {"ticket_id": "#1"}
    [first] = chat.escalations.all
    assert first.priority == Priority.HIGH and first.reasons[0].code == ReasonCode.COMPLAINT
    assert "sentiment negative" in first.reasons[0].detail
    assert first.order_ids == ("PO-1001",) and first.supplier_id == "SUP-001"
    assert await chat.say("I want to complain again") == []  # a person has it now: the bot is silent
    assert [e.kind for e in await chat.escalations.events(first.id)] == ["created", "trigger"]
    calm = Conversation(user="u2")
    await calm.one("我要投诉一下包装问题")
    assert calm.escalations.all[0].priority == Priority.NORMAL

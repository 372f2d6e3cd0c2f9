"""Help for agents (use `assist`) and translation (use `translate`): the model's drafts, checked.

The escalation card, the console and the Slack "Suggest a reply" action call these through
`dialogue.handoff.agent_help.AgentHelp`. Nothing here sends anything: a suggested reply is a draft for an
agent to edit or send, and a translation is checked before anyone relies on it.
- `conversation_summary`: three lines on what the conversation is about; every id, amount and date in
  them occurs in the conversation or in the records shown on the card.
- `suggest_reply`: a reply for the agent to send, in the supplier's language, with the same rule.
- `translate`: a message in another language, refused if it drops or changes an id, a number or an amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dialogue.llm.gate import ModelGate
from dialogue.llm.grounding import (
    has_han,
    numbers,
    unsupported_dates,
    unsupported_ids,
    unsupported_numbers,
)
from dialogue.llm.model import ChatMessage

ASSIST = "assist"
TRANSLATE = "translate"
LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese (简体中文)"}
SUMMARY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "lines": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 200},
            "minItems": 3,
            "maxItems": 3,
        }
    },
    "required": ["lines"],
}
Turn = tuple[str, str]  # (who: supplier | bot | agent, text)


def _transcript(turns: Sequence[Turn], records: Sequence[str]) -> str:
    said = "\n".join(f"{who}: {text}" for who, text in turns)
    shown = "\n".join(f"- {line}" for line in records) or "- none"
    return f"Conversation:\n{said}\n\nRecords on the card:\n{shown}"


def grounding_problem(text: str, sources: Sequence[str]) -> tuple[str, list[str]]:
    """An id, number, amount or month in `text` that no source has ("" and [] when there is none)."""
    for reason, found in (
        ("invented_number", unsupported_numbers(text, sources)),
        ("invented_id", unsupported_ids(text, sources)),
        ("invented_date", unsupported_dates(text, sources)),
    ):
        if found:
            return reason, found
    return "", []


def _in_language(text: str, language: str) -> bool:
    return has_han(text) == (language == "zh")


async def conversation_summary(
    gate: ModelGate, turns: Sequence[Turn], records: Sequence[str] = ()
) -> tuple[str, str, str] | None:
    """Three lines for the agent (English, the desk's language), or None."""
    if not gate.enabled(ASSIST) or not turns:
        return None
    messages = [
        ChatMessage(
            "system",
            "Summarise this supplier conversation for a support agent in exactly three short lines: what "
            "the supplier wants, what is known, what is still open. Write in English. Use only ids, "
            'amounts and dates that occur below, exactly as written. Answer as JSON: {"lines": [...]}.',
        ),
        ChatMessage("user", _transcript(turns, records)),
    ]
    data = await gate.complete_json(ASSIST, messages, SUMMARY_SCHEMA)
    if data is None:
        return None
    lines = tuple(" ".join(str(line).split()) for line in data["lines"])
    reason, words = grounding_problem(" ".join(lines), [text for _, text in turns] + list(records))
    if reason:
        gate.reject(ASSIST, f"summary_{reason}", words)
        return None
    return lines[0], lines[1], lines[2]


async def suggest_reply(
    gate: ModelGate, turns: Sequence[Turn], records: Sequence[str] = (), *, language: str = "en"
) -> str | None:
    """A draft reply to the supplier, in their language, for an agent to edit or send; or None."""
    if not gate.enabled(ASSIST) or not turns:
        return None
    messages = [
        ChatMessage(
            "system",
            "You draft a reply for a support agent to send to a supplier. Write in "
            f"{LANGUAGE_NAMES.get(language, 'English')}, two or three polite sentences. Use only facts, "
            "ids, amounts and dates from the conversation and the records; promise nothing they do not "
            "state. Reply with the message text only.",
        ),
        ChatMessage("user", _transcript(turns, records)),
    ]
    text = await gate.complete_text(ASSIST, messages)
    if text is None:
        return None
    reason, words = grounding_problem(text, [t for _, t in turns] + list(records))
    if not reason and not _in_language(text, language):
        reason = "language"
    if reason:
        gate.reject(ASSIST, f"reply_{reason}", words)
        return None
    return text


def translation_problem(original: str, translated: str, target: str) -> tuple[str, list[str]]:
    """Why a translation may not be sent: an id or number dropped, changed or added, or the wrong language."""
    before, after = numbers(original), numbers(translated)
    if before != after:
        return "changed_number", sorted(before ^ after)
    ids_before = set(unsupported_ids(original, []))
    ids_after = set(unsupported_ids(translated, []))
    if {i.casefold() for i in ids_before} != {i.casefold() for i in ids_after}:
        return "changed_id", sorted(ids_before ^ ids_after)
    if not _in_language(translated, target):
        return "language", []
    return "", []


async def translate(gate: ModelGate, text: str, *, target: str) -> tuple[str | None, str]:
    """(the translation, "") when it keeps every id and number; else (None, why) and the original stands."""
    translated, reason, _ = await checked_translation(gate, text, target=target)
    return translated, reason


async def checked_translation(
    gate: ModelGate, text: str, *, target: str
) -> tuple[str | None, str, list[str]]:
    """`translate`, with the ids or numbers a refused translation dropped, changed or added."""
    if not gate.enabled(TRANSLATE) or not text.strip():
        return None, "off", []
    messages = [
        ChatMessage(
            "system",
            f"Translate the user's message into {LANGUAGE_NAMES.get(target, 'English')}. Keep every id, "
            "number, amount, unit and date exactly as written. Reply with the translation only.",
        ),
        ChatMessage("user", text),
    ]
    translated = await gate.complete_text(TRANSLATE, messages)
    if translated is None:
        return None, "no_answer", []
    reason, words = translation_problem(text, translated, target)
    if reason:
        gate.reject(TRANSLATE, reason, words)
        return None, reason, words
    return translated, "", []

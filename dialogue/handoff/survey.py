"""The satisfaction survey after a resolution: a 1 to 5 keyboard in the supplier's language."""

from __future__ import annotations

import re
import unicodedata

from dialogue.handoff.model import Escalation
from dialogue.messages import Button, ConversationKey, OutgoingMessage
from nlu.numerals import zh_number

PREFIX = "csat:"
_QUESTION = (
    "How did we do? Please rate this conversation from 1 (poor) to 5 (excellent).",
    "请为本次服务打分：1（很差）到 5（很好）。",
)


def csat_question(esc: Escalation) -> OutgoingMessage:
    """The survey: one message with five buttons, "csat:<escalation>:<rating>"."""
    text = _QUESTION[1] if esc.language == "zh" else _QUESTION[0]
    buttons = tuple(Button(str(n), f"{PREFIX}{esc.id}:{n}") for n in range(1, 6))
    return OutgoingMessage(ConversationKey.parse(esc.conversation_key), text, buttons=buttons, kind="handoff")


# A rating typed instead of tapped: "4", "4/5", "4 stars", "4分", "５" (NFKC), "四分".
_TYPED = re.compile(r"([1-5一二三四五])\s*(?:/\s*5|stars?|分|星)?[.!。！]?", re.IGNORECASE)


def typed_rating(text: str) -> int | None:
    """The rating in a message that is only a rating ("4", "4/5", "5 stars", "4分"); None otherwise."""
    match = _TYPED.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    digit = match.group(1)
    return zh_number(digit)


def parse_rating(value: str) -> tuple[int, int] | None:
    """(escalation id, rating) for "csat:42:5"; None for anything else."""
    if not value.startswith(PREFIX):
        return None
    raw_id, _, raw_rating = value[len(PREFIX) :].partition(":")
    if not (raw_id.isdigit() and raw_rating.isdigit() and 1 <= int(raw_rating) <= 5):
        return None
    return int(raw_id), int(raw_rating)

"""Contract between the dialogue manager and the reply renderer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

# A fact value: str, int, float, Decimal, datetime.date, datetime.datetime or nlu.types.Money.
FactValue = object


@dataclass(frozen=True, slots=True)
class RenderedReply:
    text: str  # lexicalized, ready to send
    outcome: str
    language: str
    delexicalized: str  # the text with [placeholders], as the model or template produced it
    used_fallback: bool  # True when the grounding check rejected the model output
    fallback_reason: str = ""
    source: str = "template"  # "model" | "template" | "cache"
    is_draft: bool = False  # product descriptions are drafts for a human to review


class ReplyRenderer(Protocol):
    async def render(
        self,
        outcome: str,
        facts: Mapping[str, FactValue],
        *,
        language: str,
        user_text: str = "",
    ) -> RenderedReply: ...

    async def describe_product(self, attributes: Mapping[str, str], *, language: str) -> RenderedReply: ...

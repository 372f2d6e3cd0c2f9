"""Reply renderer doubles: the grounded facts as text, so tests can assert on them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dialogue.nlg.types import RenderedReply


class EchoRenderer:
    """Renders `outcome: k=v, ...`."""

    async def render(
        self, outcome: str, facts: Mapping[str, object], *, language: str, user_text: str = ""
    ) -> RenderedReply:
        text = outcome + (": " + ", ".join(f"{k}={v}" for k, v in facts.items()) if facts else "")
        return RenderedReply(text, outcome, language, text, used_fallback=False)

    async def describe_product(self, attributes: Mapping[str, str], *, language: str) -> RenderedReply:
        text = "Draft: " + ", ".join(attributes.values())
        return RenderedReply(text, "product_description", language, text, False, is_draft=True)


@dataclass(frozen=True, slots=True)
class Rendered:
    outcome: str
    facts: Mapping[str, object]
    language: str


class RecordingRenderer:
    """Renders "outcome|fact=value|..." and records what it was asked to render."""

    def __init__(self) -> None:
        self.calls: list[Rendered] = []

    async def render(
        self, outcome: str, facts: Mapping[str, object], *, language: str, user_text: str = ""
    ) -> RenderedReply:
        self.calls.append(Rendered(outcome, dict(facts), language))
        text = "|".join([outcome, *(f"{k}={v}" for k, v in facts.items())])
        return RenderedReply(text, outcome, language, text, used_fallback=False)

    async def describe_product(self, attributes: Mapping[str, str], *, language: str) -> RenderedReply:
        self.calls.append(Rendered("product_description", dict(attributes), language))
        text = "product_description|" + "|".join(f"{k}={v}" for k, v in attributes.items())
        return RenderedReply(text, "product_description", language, text, False, is_draft=True)

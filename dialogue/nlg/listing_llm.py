"""Listings written by a language model (use `listing`), shown only when every fact in them is given.

`ModelListings` wraps the reply renderer: `describe_product` asks the model for listing v1 JSON
(`{"title", "bullets", "description"}`) from the product's facts, checks it, and shows it as a draft.
A result that states an attribute, number, id or claim the facts do not give, or is not in the
conversation's language, is not shown: the template listing (dialogue.nlg.listing) is, and the
rejection is counted and logged with the offending words. Without an answer in time, the template too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogue.llm.gate import ModelGate
from dialogue.llm.grounding import has_han, unsupported_ids, unsupported_numbers, unsupported_words
from dialogue.llm.model import ChatMessage
from dialogue.nlg.catalog import PRODUCT_OUTCOME
from dialogue.nlg.corpus import ProductTables
from dialogue.nlg.listing import MAX_BULLETS, TITLE_MAX, Listing, clean_attributes, compose
from dialogue.nlg.listing_check import invented
from dialogue.nlg.renderer import DRAFT_LABEL, normalize_language
from dialogue.nlg.types import FactValue, RenderedReply, ReplyRenderer

USE = "listing"
LISTING_V1_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": TITLE_MAX},
        "bullets": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 200},
            "minItems": 1,
            "maxItems": MAX_BULLETS,
        },
        "description": {"type": "string", "minLength": 1, "maxLength": 1200},
    },
    "required": ["title", "bullets", "description"],
    "additionalProperties": False,
}
_SYSTEM = (
    "You write product listings for a B2B catalogue. Use only the facts you are given: never add a "
    "material, size, colour, number, certification, use or quality that the facts do not state. "
    "Answer with one JSON object and nothing else: "
    '{"title": "<at most 80 characters>", "bullets": ["<3 to 5 short key points>"], '
    '"description": "<one short paragraph>"}.'
)
_LANGUAGE = {
    "en": "Write the listing in English.",
    "zh": "请用简体中文撰写。Write the listing in Simplified Chinese, using the Chinese terms given.",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: str  # "" when the listing may be shown
    words: tuple[str, ...] = ()


def listing_messages(attributes: Mapping[str, str], template: Listing, language: str) -> list[ChatMessage]:
    """What the model is sent: the product's facts (and, for Chinese, their Chinese terms)."""
    facts: dict[str, object] = dict(attributes)
    if language == "zh":
        facts["中文术语"] = {label: value for label, value in template.specs}
    body = json.dumps(facts, ensure_ascii=False, indent=1)
    return [
        ChatMessage("system", _SYSTEM),
        ChatMessage("user", f"Product facts:\n{body}\n{_LANGUAGE.get(language, _LANGUAGE['en'])}"),
    ]


def listing_from_json(data: Mapping[str, Any], template: Listing) -> Listing:
    """The model's listing v1, with the template's specification table (built from the facts)."""
    return Listing(
        title=" ".join(str(data["title"]).split()),
        bullets=tuple(" ".join(str(b).split()) for b in data["bullets"]),
        specs=template.specs,
        paragraph=" ".join(str(data["description"]).split()),
        language=template.language,
    )


def check_listing(
    attributes: Mapping[str, str], listing: Listing, template: Listing, tables: ProductTables | None
) -> Verdict:
    """Whether the model's listing states only what the facts give, in the listing's language."""
    attrs = clean_attributes(attributes)
    said = "\n".join([listing.title, *listing.bullets, listing.paragraph])
    sources = [*attrs.values(), template.text()]
    if listing.language == "zh" and not has_han(listing.paragraph):
        return Verdict("language")
    if listing.language != "zh" and has_han(said) and not has_han(" ".join(attrs.values())):
        return Verdict("language")
    made_up = invented(attrs, said, tables) if tables is not None else []
    if values := [w for w in made_up if not w[:1].isdigit()]:
        return Verdict("invented_attribute", tuple(values))
    if numbers := sorted({*(w for w in made_up if w[:1].isdigit()), *unsupported_numbers(said, sources)}):
        return Verdict("invented_number", tuple(numbers))
    if ids := unsupported_ids(said, sources):
        return Verdict("invented_id", tuple(ids))
    if words := unsupported_words(said, sources):
        return Verdict("invented_word", tuple(words))
    if len(set(listing.bullets)) < len(listing.bullets) or "[" in said or "{" in said:
        return Verdict("fluency")
    return Verdict("")


class ModelListings:
    """A `ReplyRenderer` whose product listings come from a language model when it gets them right."""

    def __init__(self, inner: ReplyRenderer, gate: ModelGate, *, tables: ProductTables | None) -> None:
        self._inner = inner
        self._gate = gate
        self._tables = tables

    async def render(
        self, outcome: str, facts: Mapping[str, FactValue], *, language: str, user_text: str = ""
    ) -> RenderedReply:
        return await self._inner.render(outcome, facts, language=language, user_text=user_text)

    async def describe_product(self, attributes: Mapping[str, str], *, language: str) -> RenderedReply:
        written = await self.model_listing(attributes, language=language)
        if written is not None:
            return written
        return await self._inner.describe_product(attributes, language=language)

    async def model_listing(self, attributes: Mapping[str, str], *, language: str) -> RenderedReply | None:
        """The model's listing as a draft reply, or None (model off, failed, or rejected)."""
        if not self._gate.enabled(USE):
            return None
        language = normalize_language(language)
        attrs = clean_attributes(attributes)
        if "name" not in attrs:
            return None
        template = compose(attrs, language=language, tables=self._tables)
        data = await self._gate.complete_json(
            USE, listing_messages(attrs, template, language), LISTING_V1_SCHEMA
        )
        if data is None:
            return None
        listing = listing_from_json(data, template)
        verdict = check_listing(attrs, listing, template, self._tables)
        if verdict.reason:
            self._gate.reject(USE, verdict.reason, verdict.words)
            return None
        text = DRAFT_LABEL[language] + listing.text()
        return RenderedReply(
            text, PRODUCT_OUTCOME, language, text, used_fallback=False, source="llm", is_draft=True
        )

    def __getattr__(self, name: str) -> Any:
        """Anything else the wrapped renderer has (its tables, its counts), as if it were asked."""
        if name.startswith("__") or name in ("_inner", "_gate", "_tables"):
            raise AttributeError(name)
        return getattr(self._inner, name)

"""Listings from a model: shown when every fact is given, else the template listing, counted and logged."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pytest

from dialogue.llm.gate import ModelGate
from dialogue.llm.model import ChatMessage
from dialogue.nlg.corpus import ProductTables
from dialogue.nlg.listing import compose
from dialogue.nlg.listing_llm import ModelListings
from dialogue.nlg.types import FactValue, RenderedReply
from tests.dialogue.llm.conftest import CountingObserver, ScriptedModel, listing_json

TOWEL = {
    "name": "Organic Cotton Bath Towel",
    "category": "Home Textiles",
    "material": "organic cotton",
    "size": "70x140 cm",
    "features": "quick-dry, 500 gsm",
}
GOOD = listing_json(
    "Organic Cotton Bath Towel – 70x140 cm, quick-dry",
    ["Made of organic cotton", "Quick-dry, 500 gsm", "Size: 70x140 cm"],
    "The Organic Cotton Bath Towel is a home textile made of organic cotton. It measures 70x140 cm "
    "and is quick-dry (500 gsm): a great everyday choice.",
)


class TemplateRenderer:
    """The renderer without a model: the template listing."""

    def __init__(self, tables: ProductTables) -> None:
        self.tables = tables

    async def render(
        self, outcome: str, facts: Mapping[str, FactValue], *, language: str, user_text: str = ""
    ) -> RenderedReply:
        return RenderedReply("ok", outcome, language, "ok", used_fallback=False)

    async def describe_product(self, attributes: Mapping[str, str], *, language: str) -> RenderedReply:
        text = compose(attributes, language=language, tables=self.tables).text()
        return RenderedReply(text, "product_description", language, text, used_fallback=False, is_draft=True)


def listings(
    tables: ProductTables, answer: str, observer: CountingObserver
) -> tuple[ModelListings, ScriptedModel]:
    model = ScriptedModel(answer)
    gate = ModelGate(model, uses={"listing"}, timeout_seconds=1, observer=observer)
    return ModelListings(TemplateRenderer(tables), gate, tables=tables), model


async def test_a_grounded_model_listing_is_shown_as_a_draft(tables: ProductTables) -> None:
    observer = CountingObserver()
    renderer, model = listings(tables, GOOD, observer)
    reply = await renderer.describe_product(TOWEL, language="en")
    assert reply.source == "llm" and reply.is_draft
    assert reply.text.startswith(
        "Draft (for review)\nTitle: Organic Cotton Bath Towel – 70x140 cm, quick-dry"
    )
    assert "a great everyday choice" in reply.text and "Category | Home Textiles" in reply.text
    sent = "\n".join(m.content for m in model.calls[0][1])
    assert "organic cotton" in sent and "500 gsm" in sent
    assert observer.rejections == []


@pytest.mark.parametrize(
    ("claim", "reason", "word"),
    [
        ("It is waterproof.", "invented_word", "waterproof"),  # a word no vocabulary lists
        ("It is made of bamboo.", "invented_attribute", "bamboo"),  # a material of the vocabulary
        ("Sold in packs of 6.", "invented_number", "6"),
        ("Certified under ISO-9001.", "invented_number", "9001"),
    ],
)
async def test_a_made_up_fact_is_rejected_and_the_template_shown(
    tables: ProductTables, caplog: pytest.LogCaptureFixture, claim: str, reason: str, word: str
) -> None:
    observer = CountingObserver()
    invented = listing_json(
        "Organic Cotton Bath Towel – 70x140 cm",
        ["Made of organic cotton", "Quick-dry, 500 gsm"],
        f"The Organic Cotton Bath Towel is made of organic cotton. {claim}",
    )
    renderer, _ = listings(tables, invented, observer)
    with caplog.at_level(logging.WARNING, logger="dialogue.llm.gate"):
        reply = await renderer.describe_product(TOWEL, language="en")
    assert reply.source == "template"
    assert claim not in reply.text and "The Organic Cotton Bath Towel is a home textile" in reply.text
    assert observer.rejections == [("listing", reason)]
    assert word in caplog.text.lower()


async def test_a_chinese_listing_is_written_in_chinese(tables: ProductTables) -> None:
    observer = CountingObserver()
    zh = listing_json(
        "Organic Cotton Bath Towel｜有机棉、70x140 cm",
        ["有机棉材质", "尺寸：70x140 cm", "速干"],
        "Organic Cotton Bath Towel是一款家纺产品，采用有机棉材质，尺寸为70x140 cm，速干。",
    )
    renderer, model = listings(tables, zh, observer)
    reply = await renderer.describe_product(TOWEL, language="zh")
    assert reply.source == "llm" and reply.text.startswith("草稿（待审核）\n标题：")
    assert "简体中文" in "\n".join(m.content for m in model.calls[0][1])
    assert observer.rejections == []


async def test_an_english_answer_to_a_chinese_request_is_not_shown(tables: ProductTables) -> None:
    observer = CountingObserver()
    renderer, _ = listings(tables, GOOD, observer)
    reply = await renderer.describe_product(TOWEL, language="zh")
    assert reply.source == "template" and "是一款家纺产品" in reply.text
    assert observer.rejections == [("listing", "language")]


async def test_invalid_json_shows_the_template_and_counts_a_fallback(tables: ProductTables) -> None:
    observer = CountingObserver()
    renderer, _ = listings(tables, "Here is a lovely towel!", observer)
    reply = await renderer.describe_product(TOWEL, language="en")
    assert reply.source == "template"
    assert observer.fallbacks == [("listing", "invalid_json")] and observer.rejections == []


async def test_with_listing_off_the_model_is_never_asked(tables: ProductTables) -> None:
    model = ScriptedModel(GOOD)
    renderer = ModelListings(
        TemplateRenderer(tables), ModelGate(model, uses=(), timeout_seconds=1), tables=tables
    )
    assert (await renderer.describe_product(TOWEL, language="en")).source == "template"
    assert model.calls == []


def test_messages_are_chat_messages() -> None:
    assert ChatMessage("user", "x").role == "user"

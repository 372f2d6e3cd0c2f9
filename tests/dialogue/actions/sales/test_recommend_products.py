"""recommend_products: what to pitch to a customer, and products similar to a SKU."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

import dialogue.actions.sales.recommender as recommender_module
from dialogue.actions.sales.recommender import Recommender
from dialogue.embedding import HashingEmbedder, Vectors
from tests.dialogue.actions.sales.chat import sales_chat
from tests.fakes.backend import TODAY, FakeBackend


async def test_recommendations_from_co_purchases_exclude_what_they_buy() -> None:
    reply = await sales_chat().one("what should we pitch to ACME?")
    assert reply.outcome == "recommendations"
    assert reply.facts["customer_name"] == "ACME Corp"
    assert reply.table[0] == ("SKU", "Product", "Category", "Why")
    assert reply.table[1][:2] == ("NH-320", "Glass Storage Jar")  # two shared SKUs with Vandelay
    assert any("another customer who buys" in row[3] for row in reply.table[1:])
    assert not {"AB-1020", "AB-1030", "KX-550", "TX-210"} & {row[0] for row in reply.table[1:]}
    assert 2 <= len(reply.table) <= 6


async def test_recommendations_in_chinese_and_none() -> None:
    zh = await sales_chat().one("给 ACME 推荐什么产品？")
    assert zh.outcome == "recommendations" and zh.language == "zh"
    assert any("其他客户" in row[3] for row in zh.table[1:])
    chat = sales_chat()
    chat.backend.orders = {k: v for k, v in chat.backend.orders.items() if v.customer_id != "CUS-003"}
    none = await chat.one("recommend products for Initech")
    assert none.outcome == "no_recommendations"
    assert none.facts == {"customer_name": "Initech Software"}


async def test_similar_products() -> None:
    reply = await sales_chat().one("products similar to AB-1020")
    assert reply.outcome == "similar_products"
    assert reply.facts["sku"] == "AB-1020"
    assert "AB-1020" not in [row[0] for row in reply.table[1:]]
    assert len(reply.table) == 6
    missing = await sales_chat().one("products similar to ZZ-999")
    assert missing.outcome == "product_not_found"


class CountingEncoder:
    """Lexical vectors, with every text the recommender asks to encode written down."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self._inner = HashingEmbedder()

    async def encode(self, texts: Sequence[str]) -> Vectors:
        self.texts += texts
        return self._inner.encode_sync(texts)


async def test_the_catalogue_encoded_at_start_up_is_not_encoded_again_for_the_first_recommendation() -> None:
    backend, encoder = FakeBackend(), CountingEncoder()
    recommender = Recommender(encoder)
    assert await recommender.warm(backend, TODAY) == len(await backend.list_products())
    warmed = len(encoder.texts)
    assert await recommender.for_customer(backend, "CUS-001")
    assert len(encoder.texts) == warmed


async def test_a_catalogue_too_large_to_warm_is_left_to_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recommender_module, "WARMED_PRODUCTS", 2)
    encoder = CountingEncoder()
    assert await Recommender(encoder).warm(FakeBackend(), TODAY) == 0
    assert encoder.texts == []

"""recommend_products: what to pitch to a customer, and products similar to a SKU."""

from __future__ import annotations

from tests.dialogue.actions.sales.chat import sales_chat


async def test_recommendations_from_co_purchases_exclude_what_they_buy() -> None:
    reply = await sales_chat().one("what should we pitch to ACME?")
    assert reply.outcome == "recommendations"
    assert reply.facts["customer_name"] == "ACME Corp"
    block = str(reply.facts["product_list"])
    assert block.startswith("1. NH-320 Glass Storage Jar")  # two shared SKUs with Vandelay
    assert "another customer who buys" in block
    for owned in ("AB-1020", "AB-1030", "KX-550", "TX-210"):
        assert f". {owned} " not in block
    assert reply.table[0] == ("SKU", "Product", "Category", "Score")
    assert 2 <= len(reply.table) <= 6


async def test_recommendations_in_chinese_and_none() -> None:
    zh = await sales_chat().one("给 ACME 推荐什么产品？")
    assert zh.outcome == "recommendations" and zh.language == "zh"
    assert "其他客户" in str(zh.facts["product_list"])
    chat = sales_chat()
    chat.backend.orders = {k: v for k, v in chat.backend.orders.items() if v.customer_id != "CUS-003"}
    none = await chat.one("recommend products for Initech")
    assert none.outcome == "no_recommendations"
    assert none.facts == {"customer_name": "Initech Software"}


async def test_similar_products() -> None:
    reply = await sales_chat().one("products similar to AB-1020")
    assert reply.outcome == "similar_products"
    assert reply.facts["sku"] == "AB-1020"
    assert "AB-1020 " not in str(reply.facts["product_list"]).split("—")[0]
    assert len(reply.table) == 6
    missing = await sales_chat().one("products similar to ZZ-999")
    assert missing.outcome == "product_not_found"

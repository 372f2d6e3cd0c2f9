"""product_description: a draft from a SKU or from the attributes in the message."""

from __future__ import annotations

from tests.dialogue.actions.sales.chat import sales_chat


async def test_product_description_from_a_sku() -> None:
    reply = await sales_chat().one("write a listing description for AB-1020")
    assert reply.outcome == "product_description"
    assert reply.facts == {
        "name": "Organic Cotton Bath Towel",
        "category": "Home Textiles",
        "material": "organic cotton",
        "size": "70x140 cm",
        "features": "quick-dry, 500 gsm, OEKO-TEX certified",
    }
    assert reply.text.startswith("product_description|name=Organic Cotton Bath Towel")


async def test_product_description_from_attributes_in_the_message() -> None:
    reply = await sales_chat().one("write a description for a cotton tote bag, 38x42 cm, reinforced handles")
    assert reply.facts == {
        "name": "Cotton Tote Bag",
        "category": "bags",
        "material": "cotton",
        "size": "38x42 cm",
        "features": "reinforced handles",
    }
    zh = await sales_chat().one("写一段商品描述：纯棉手提袋，38x42厘米，加固提手")
    assert zh.facts == {"name": "纯棉手提袋", "category": "箱包", "material": "纯棉", "size": "38x42厘米",
                        "features": "加固提手"}  # fmt: skip


async def test_product_description_asks_then_takes_the_answer() -> None:
    chat = sales_chat()
    ask = await chat.one("write a product description")
    assert ask.outcome == "product_ask"
    assert chat.session.active_form == "product_description"
    reply = await chat.one("a black stainless steel water bottle, 750 ml, keeps drinks cold for 24 hours")
    assert reply.outcome == "product_description"
    assert reply.facts["material"] == "stainless steel"
    assert reply.facts["color"] == "black"
    assert reply.facts["size"] == "750 ml"
    assert chat.session.active_form is None
    unknown = await sales_chat().one("write a description for ZZ-999")
    assert unknown.outcome == "product_not_found" and unknown.facts == {"sku": "ZZ-999"}

"""Sales rep conversations on Slack: customers, summaries, industries, recommendations, descriptions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dialogue.messages import ChannelKind, Platform
from nlu.types import Money
from tests.dialogue.fakes import Conversation


def sales_chat() -> Conversation:
    return Conversation(supplier_id=None, channel=ChannelKind.SALES, platform=Platform.SLACK)


async def test_customer_lookup_in_english() -> None:
    reply = await sales_chat().one("tell me about ACME Corp")
    assert reply.outcome == "customer_profile"
    assert reply.facts["customer_name"] == "ACME Corp"
    assert reply.facts["contact_name"] == "Sarah Miller"
    assert reply.facts["email"] == "sarah.miller@acme.example"
    assert reply.facts["lifetime_value"] == Money(Decimal("7439.00"), "USD")
    assert reply.facts["order_count"] == 2
    assert str(reply.facts["last_orders"]).startswith("• PO-1001")
    assert "Damaged towels" in str(reply.facts["open_issues"])
    assert reply.table[0] == ("Order", "Date", "Status", "Total")


async def test_customer_lookup_in_chinese() -> None:
    reply = await sales_chat().one("查一下 Globex 客户")
    assert reply.outcome == "customer_profile" and reply.language == "zh"
    assert reply.facts["customer_name"] == "Globex Industries"
    assert "待确认" in str(reply.facts["last_orders"])
    assert reply.facts["open_issues"] == "• 无"


async def test_customer_name_is_asked_when_missing() -> None:
    chat = sales_chat()
    ask = await chat.one("look up a customer")
    assert ask.outcome == "customer_ask_name"
    assert chat.session.active_form == "customer_name"
    reply = await chat.one("Globex")
    assert reply.outcome == "customer_profile"
    assert reply.facts["customer_name"] == "Globex Industries"
    assert chat.session.active_form is None


async def test_unknown_customer() -> None:
    reply = await sales_chat().one("tell me about Wonka Chocolate")
    assert reply.outcome == "customer_not_found"
    assert reply.facts == {"customer_name": "Wonka Chocolate"}


async def test_sales_summary_default_week_and_periods() -> None:
    chat = sales_chat()
    week = await chat.one("sales summary")
    assert week.outcome == "sales_summary"
    assert week.facts["period"] == "this week (2026-11-23)"
    month = await chat.one("sales last month")
    assert month.facts["period"] == "last month (2026-10-01 – 2026-10-31)"
    assert month.facts["order_count"] == 3
    assert month.facts["revenue"] == Money(Decimal("4840.00"), "USD")
    assert str(month.facts["top_suppliers"]).startswith("• Sunrise Textiles: USD 2,440.00")
    assert "• Safety: USD 4,590.00" in str(month.facts["top_categories"])
    assert month.facts["escalations"] == 1
    assert month.table[0] == ("Metric", "Value")
    assert ("Orders", "3") in month.table


async def test_sales_summary_late_orders_in_chinese() -> None:
    reply = await sales_chat().one("本周和上周的销售？上周")
    assert reply.language == "zh"
    assert reply.facts["period"] == "上周（2026-11-16 – 2026-11-22）"
    assert reply.facts["late_orders"] == 1  # PO-3002 is past its ETA and not delivered
    assert ("延迟订单", "PO-3002") in reply.table


async def test_customer_industry_from_backend_data() -> None:
    chat = sales_chat()
    acme = await chat.one("what industry is ACME Corp in?")
    assert acme.outcome == "customer_industry"
    assert acme.facts["customer_name"] == "ACME Corp"
    assert acme.facts["industry"] == "retail"
    assert isinstance(acme.facts["confidence"], float) and 0.5 < acme.facts["confidence"] <= 1.0
    globex = await chat.one("which industry is Globex in?")
    assert globex.facts["industry"] == "manufacturing"
    zh = await chat.one("Globex 属于哪个行业？")
    assert zh.facts["industry"] == "制造" and zh.language == "zh"


async def test_industry_of_a_described_company() -> None:
    reply = await sales_chat().one("they do software development and IT services, which industry is that?")
    assert reply.outcome == "text_industry"
    assert reply.facts["industry"] == "technology"
    hotel = await sales_chat().one("what industry: a company that runs hotels and restaurants")
    assert hotel.facts["industry"] == "hospitality"


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


async def test_sales_form_changes_topic_and_back() -> None:
    chat = sales_chat()
    await chat.one("look up a customer")
    summary = await chat.one("sales this week")
    assert summary.outcome == "sales_summary"
    assert chat.session.active_form == "customer_name"
    assert (await chat.one("ACME")).facts["customer_name"] == "ACME Corp"


def test_periods_resolve_against_today() -> None:
    from dialogue.actions.sales import parse_period

    monday = date(2026, 11, 23)
    assert parse_period("this month", monday)[1:] == (date(2026, 11, 1), date(2026, 11, 24))
    assert parse_period("yesterday", monday)[1:] == (date(2026, 11, 22), date(2026, 11, 23))
    assert parse_period("今天", monday)[1:] == (monday, date(2026, 11, 24))
    assert parse_period("上个月", date(2026, 1, 5))[1:] == (date(2025, 12, 1), date(2026, 1, 1))

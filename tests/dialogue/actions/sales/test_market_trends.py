"""market_trends: a sales rep asks how a category or the market is moving, in English and Chinese."""

from __future__ import annotations

from dialogue.messages import ChannelKind, Platform
from tests.dialogue.actions.sales.capture import capture
from tests.dialogue.actions.sales.chat import sales_chat
from tests.fakes.backend import FakeBackend
from tests.fakes.conversation import Conversation


async def test_trend_of_a_category_against_the_period_before() -> None:
    chat = sales_chat(history=True)
    replies = capture(chat, "market_trends")
    reply = await chat.one("how's the market trend for home textiles")
    assert reply.outcome == "market_trends" and reply.language == "en"
    assert reply.facts["scope"] == "Home Textiles"
    assert "the last four weeks (2026-10-26 – 2026-11-22)" in str(reply.facts["period"])
    figures = str(reply.facts["figures"])
    assert figures.startswith("• Total: revenue USD ") and "Organic Cotton Bath Towel" in figures
    assert "Electronics" not in figures  # only the category asked about
    assert "Top risers:" in str(reply.facts["movers"]) and str(reply.facts["reading"]).startswith("Reading: ")
    chart = replies[0].image
    assert chart is not None and chart.png.startswith(b"\x89PNG") and chart.file_name == "market-trends.png"
    assert reply.table[0] == ("Item", "Revenue", "Change", "Units", "Change")


async def test_chinese_question_about_last_month_of_every_category() -> None:
    reply = await sales_chat(history=True).one("上个月的市场走势怎么样")
    assert reply.outcome == "market_trends" and reply.language == "zh"
    assert str(reply.facts["period"]).startswith("上个月 (2026-10-01 – 2026-10-31)")
    assert reply.facts["scope"] == "所有品类"
    assert "合计：收入 USD" in str(reply.facts["figures"]) and "Electronics" in str(reply.facts["figures"])
    assert str(reply.facts["reading"]).startswith("解读：")


async def test_a_sku_without_sales_and_an_unknown_sku() -> None:
    quiet = await Conversation(supplier_id=None, channel=ChannelKind.SALES, platform=Platform.SLACK).one(
        "market trend for HE-140"
    )
    assert quiet.outcome == "market_trends_no_data" and quiet.facts["scope"] == "HE-140 Smart Plug"
    missing = await sales_chat(history=True).one("market trend for ZZ-999")
    assert missing.outcome == "product_not_found"


async def test_suppliers_do_not_get_market_trends() -> None:
    reply = await Conversation(backend=FakeBackend(history=True)).one(
        "how's the market trend for home textiles"
    )
    assert reply.outcome == "sales_only"

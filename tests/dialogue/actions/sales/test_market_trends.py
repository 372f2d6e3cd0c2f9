"""market_trends: a sales rep asks how a category or the market is moving, in English and Chinese.

The clock is pinned at the start, middle and end of a week, a month and a year, with the demo data (and
the seed's weekly order history) resolved against that day."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from dialogue.actions.sales.market_trends import warm_trends
from dialogue.analytics.charts import use_offload
from dialogue.analytics.render_pool import InThreadOffload
from dialogue.messages import ChannelKind, Platform
from tests.dialogue.actions.sales.capture import capture
from tests.dialogue.actions.sales.chat import sales_chat
from tests.fakes.backend import FakeBackend
from tests.fakes.conversation import Conversation, Said


def chat_on(day: date) -> Conversation:
    """A sales rep on Slack at 10:00 UTC of `day`, the demo data resolved against that day."""
    chat = Conversation(
        supplier_id=None,
        channel=ChannelKind.SALES,
        platform=Platform.SLACK,
        backend=FakeBackend(day, history=True),
    )
    chat.clock.now = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    return chat


def percentages(reply: Said) -> list[float]:
    text = "\n".join([str(reply.facts["reading"]), str(reply.facts["movers"]), *map(" ".join, reply.table)])
    return [float(p) for p in re.findall(r"([+-]?\d+(?:\.\d+)?)%", text)]


async def test_trend_of_a_category_against_the_period_before() -> None:
    chat = sales_chat(history=True)
    replies = capture(chat, "market_trends")
    reply = await chat.one("how's the market trend for home textiles")
    assert reply.outcome == "market_trends" and reply.language == "en"
    assert reply.facts["scope"] == "Home Textiles"
    assert reply.facts["period"] == (
        "the last four weeks (Oct 26 – Nov 22), against the four weeks before (Sep 28 – Oct 25)"
    )
    assert reply.table[0] == ("Item", "Revenue", "Change", "Units", "Change")
    assert reply.table[1][0] == "Total" and reply.table[1][1].startswith("USD ")
    items = [row[0] for row in reply.table[2:]]
    assert "Organic Cotton Bath Towel" in items and "Electronics" not in items  # only the category asked
    assert "Top risers:" in str(reply.facts["movers"]) and str(reply.facts["reading"]).startswith("Reading: ")
    chart = replies[0].image
    assert chart is not None and chart.png.startswith(b"\x89PNG") and chart.file_name == "market-trends.png"


async def test_chinese_question_about_last_month_of_every_category() -> None:
    reply = await sales_chat(history=True).one("上个月的市场走势怎么样")
    assert reply.outcome == "market_trends" and reply.language == "zh"
    assert reply.facts["period"] == "上个月（10月1日–31日），对比前一个月（9月1日–30日）"
    assert reply.facts["scope"] == "所有品类"
    assert reply.table[1][0] == "合计" and "家纺" in [row[0] for row in reply.table]
    assert not any("Home Textiles" in str(value) for value in (*reply.facts.values(), *reply.table))
    assert str(reply.facts["reading"]).startswith("解读：")


async def test_this_month_so_far_against_the_same_days_of_last_month() -> None:
    sunday = chat_on(date(2026, 12, 6))
    en = await sunday.one("how are the market trends this month?")
    assert en.facts["period"] == "this month so far (Dec 1–5), against the same days of last month (Nov 1–5)"
    zh = await sunday.one("本月的市场走势怎么样？")
    assert zh.facts["period"] == "本月至今（12月1日–5日），对比上月同期（11月1日–5日）"
    # November 2 was the weekly order day and December 1-5 holds none: usual for five days, not a collapse
    for reply, fell in ((en, "fell"), (zh, "下降")):
        assert fell not in str(reply.facts["reading"]), reply.facts["reading"]
    assert "within its usual variation" in str(en.facts["reading"])
    assert "Top fallers: none beyond the usual variation" in str(en.facts["movers"])


@pytest.mark.parametrize(
    ("day", "text", "period"),
    [
        ("2026-12-01", "how are the market trends this month?",
         "last month (Nov 1–30), against the month before (Oct 1–31), as this month has no whole day yet "
         "(today is not over)"),
        ("2026-11-30", "market trends this week",  # a Monday
         "last week (Nov 23–29), against the week before (Nov 16–22), as this week has no whole day yet "
         "(today is not over)"),
        ("2026-12-06", "market trends this week",  # a Sunday
         "this week so far (Nov 30 – Dec 5), against the same days of last week (Nov 23–28)"),
        ("2026-12-31", "how are the market trends this month?",
         "this month so far (Dec 1–30), against the same days of last month (Nov 1–30)"),
        ("2027-01-01", "how are the market trends this month?",
         "last month (Dec 1–31, 2026), against the month before (Nov 1–30, 2026), as this month has no whole "
         "day yet (today is not over)"),
        ("2028-02-29", "how are the market trends this month?",
         "this month so far (Feb 1–28), against the same days of last month (Jan 1–28)"),
        ("2027-03-31", "how are the market trends this month?",
         "this month so far (Mar 1–30), against the whole of last month (Feb 1–28)"),
        ("2027-01-01", "本月的市场走势怎么样？",
         "上个月（2026年12月1日–31日），对比前一个月（2026年11月1日–30日），因为本月还没有完整的一天（今天尚未结束）"),
        ("2026-12-06", "本周的市场走势", "本周至今（11月30日–12月5日），对比上周同期（11月23日–28日）"),
        ("2026-12-06", "what were the market trends yesterday",
         "yesterday (Dec 5), against the same weekday a week before (Nov 28)"),
    ],
)  # fmt: skip
async def test_awkward_days_name_both_spans_and_give_no_absurd_percentages(
    day: str, text: str, period: str
) -> None:
    reply = await chat_on(date.fromisoformat(day)).one(text)
    if reply.outcome == "market_trends_no_data":  # a single day may hold no order at all
        assert "yesterday" in text
        return
    assert reply.outcome == "market_trends" and reply.facts["period"] == period
    assert all(-100 <= p <= 300 for p in percentages(reply)), reply.table  # small bases are amounts


async def test_a_sku_without_sales_and_an_unknown_sku() -> None:
    quiet = await Conversation(supplier_id=None, channel=ChannelKind.SALES, platform=Platform.SLACK).one(
        "market trend for HE-140"
    )
    assert quiet.outcome == "market_trends_no_data" and quiet.facts["scope"] == "HE-140 Smart Plug"
    assert quiet.facts["period"] == "the last four weeks (Oct 26 – Nov 22)"
    missing = await sales_chat(history=True).one("market trend for ZZ-999")
    assert missing.outcome == "product_not_found"


async def test_suppliers_do_not_get_market_trends() -> None:
    reply = await Conversation(backend=FakeBackend(history=True)).one(
        "how's the market trend for home textiles"
    )
    assert reply.outcome == "sales_only"


async def test_eur_and_usd_sales_are_compared_per_currency_and_never_added() -> None:
    chat = sales_chat(history=True)
    backend = chat.backend
    for order_id, order in list(backend.orders.items()):
        if order.supplier_id == "SUP-002":  # one supplier sells in EUR
            backend.orders[order_id] = replace(order, currency="EUR")
    replies = capture(chat, "market_trends")
    reply = await chat.one("how is the market trending")
    assert reply.outcome == "market_trends"
    sold = backend._sold(date(2026, 10, 26), date(2026, 11, 23))  # the last four weeks
    usd = sum(line.unit_price * line.quantity for line in sold if line.currency == "USD")
    eur = sum(line.unit_price * line.quantity for line in sold if line.currency == "EUR")
    assert usd and eur
    rows = {row[0]: row for row in reply.table[1:]}
    assert rows["Total"][1] == f"USD {usd:,.2f}"  # the main currency: the most revenue
    assert rows["Total (EUR)"][1] == f"EUR {eur:,.2f}"
    cells = " ".join(" ".join(row) for row in reply.table) + str(reply.facts["reading"])
    assert f"{usd + eur:,.2f}" not in cells
    assert "In EUR: revenue" in str(reply.facts["reading"])
    chart = replies[0].image
    assert chart is not None and chart.title.endswith("(in USD only)")


async def test_after_the_start_up_warm_up_the_usual_questions_draw_no_chart_of_their_own() -> None:
    day = date(2026, 12, 6)
    chat = chat_on(day)
    offload = InThreadOffload()
    previous = use_offload(offload)
    try:
        assert await warm_trends(chat.backend, day) == 10  # five usual periods, in two languages
        drawn = offload.cache.misses
        for question in ("how are the market trends this month?", "上个月的市场走势怎么样", "market trends"):
            assert (await chat.one(question)).outcome == "market_trends"
        assert offload.cache.misses == drawn and offload.cache.hits == 3
        await chat.one("how's the market trend for home textiles")  # a category: drawn when asked
        assert offload.cache.misses == drawn + 1
    finally:
        use_offload(previous)

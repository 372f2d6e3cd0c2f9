"""sales_summary: a period's orders, revenue, top suppliers and categories, late orders."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from nlu.types import Money
from tests.dialogue.actions.sales.chat import sales_chat


async def test_sales_summary_default_week_and_periods() -> None:
    chat = sales_chat()
    week = await chat.one("sales summary")
    assert week.outcome == "sales_summary"
    assert week.facts["period"] == "this week (2026-11-23)"
    month = await chat.one("sales last month")
    assert month.facts["period"] == "last month (2026-10-01 – 2026-10-31)"
    assert month.facts["order_count"] == 3
    assert month.facts["revenue"] == Money(Decimal("4840.00"), "USD")
    assert month.facts["escalations"] == 1
    assert month.table[0] == ("Top sellers", "Revenue")  # the figures of the text are not rows again
    assert month.table[1] == ("Sunrise Textiles (supplier)", "USD 2,440.00")
    assert ("Safety (category)", "USD 4,590.00") in month.table


async def test_sales_summary_late_orders_in_chinese() -> None:
    reply = await sales_chat().one("本周和上周的销售？上周")
    assert reply.language == "zh"
    assert reply.facts["period"] == "上周（2026-11-16 – 2026-11-22）"
    assert reply.facts["late_orders"] == 1  # PO-3002 is past its ETA and not delivered
    assert reply.table[0] == ("主要供应商和品类", "收入")
    assert all(row[0].endswith(("（供应商）", "（品类）")) for row in reply.table[1:])


async def test_a_month_with_eur_and_usd_orders_has_a_total_per_currency() -> None:
    chat = sales_chat()
    order = chat.backend.orders["PO-3003"]  # Harbor's USD 1,500.00 of October
    chat.backend.orders["PO-3003"] = replace(order, currency="EUR")
    reply = await chat.one("sales last month")
    assert reply.facts["revenue"] == "$3,340.00 + EUR 1,500.00"
    assert "$3,340.00 + EUR 1,500.00" in reply.text and "4,840" not in reply.text
    rows = dict(reply.table[1:])
    assert rows["Sunrise Textiles (supplier)"] == "USD 2,440.00"  # ranked first: the most USD
    supplier = chat.backend.suppliers["SUP-003"].name
    assert rows[f"{supplier} (supplier)"] == "USD 900.00 + EUR 1,500.00"  # each currency beside the other
    assert not any("$" in cell for row in reply.table for cell in row)

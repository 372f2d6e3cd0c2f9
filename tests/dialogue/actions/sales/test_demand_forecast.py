"""demand_forecast: expected units, the stock outlook and reorder advice; suppliers see only their SKUs."""

from __future__ import annotations

import re

from dialogue.messages import ChannelKind, Platform
from tests.dialogue.actions.sales.capture import capture
from tests.dialogue.actions.sales.chat import sales_chat
from tests.fakes.backend import FakeBackend
from tests.fakes.conversation import Conversation


async def test_forecast_for_next_month_in_english() -> None:
    chat = sales_chat(history=True)
    replies = capture(chat, "demand_forecast")
    reply = await chat.one("how many AB-1020 will we need next month")
    assert reply.outcome == "demand_forecast" and reply.facts["sku"] == "AB-1020"
    forecast = str(reply.facts["forecast"])
    assert forecast.startswith("• Next 4 weeks (from 2026-11-23): about ")
    low, high = (int(n.replace(",", "")) for n in re.search(r"interval ([\d,]+)–([\d,]+)", forecast).groups())  # type: ignore[union-attr]
    total = int(re.search(r"about ([\d,]+) units", forecast).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert low <= total <= high
    outlook = str(reply.facts["stock_outlook"])
    assert "Stock on hand: 120 units" in outlook and "Reorder advice: order " in outlook
    assert reply.facts["method"] == "the mean of the last four weeks"
    assert replies[0].image is not None and replies[0].image.file_name == "forecast-AB-1020.png"
    assert "Week by week" not in forecast  # the weeks are the table
    assert reply.table[0] == ("Week of", "Units", "80% interval") and len(reply.table) == 5
    assert reply.table[1][0] == "2026-11-23"


async def test_forecast_in_chinese() -> None:
    reply = await sales_chat(history=True).one("AB-1020下个月要备多少货")
    assert reply.outcome == "demand_forecast" and reply.language == "zh"
    assert str(reply.facts["forecast"]).startswith("• 未来 4 周（自 2026-11-23 起）：预计约")
    assert "补货建议：现在订购" in str(reply.facts["stock_outlook"])


async def test_a_supplier_sees_only_their_own_skus() -> None:
    chat = Conversation(supplier_id="SUP-001", backend=FakeBackend(history=True))  # Sunrise Textiles
    own = await chat.one("forecast KX-550 for the next 6 weeks")
    assert own.outcome == "demand_forecast" and str(own.facts["forecast"]).startswith("• Next 6 weeks")
    assert "Out of stock now" in str(own.facts["stock_outlook"])
    other = await chat.one("forecast HE-100 next month")  # Huaqiang's SKU
    missing = await chat.one("forecast ZZ-999 next month")
    assert other.outcome == missing.outcome == "product_not_found"


async def test_unlinked_supplier_and_the_sku_form() -> None:
    unlinked = await Conversation(supplier_id=None, backend=FakeBackend(history=True)).one("forecast AB-1020")
    assert unlinked.outcome == "link_required"
    chat = sales_chat(history=True)
    ask = await chat.one("can you forecast demand for next month?")
    assert ask.outcome == "forecast_ask_sku"
    answer = await chat.one("AB-1020")
    assert answer.outcome == "demand_forecast" and answer.facts["sku"] == "AB-1020"


async def test_too_little_history() -> None:
    reply = await Conversation(supplier_id=None, channel=ChannelKind.SALES, platform=Platform.SLACK).one(
        "forecast HE-140"
    )
    assert reply.outcome == "forecast_no_history"

"""customer_lookup: a customer's profile, asked on Slack by a sales rep."""

from __future__ import annotations

from decimal import Decimal

from nlu.types import Money
from tests.dialogue.actions.sales.chat import sales_chat


async def test_customer_lookup_in_english() -> None:
    reply = await sales_chat().one("tell me about ACME Corp")
    assert reply.outcome == "customer_profile"
    assert reply.facts["customer_name"] == "ACME Corp"
    assert reply.facts["contact_name"] == "Sarah Miller"
    assert reply.facts["email"] == "sarah.miller@acme.example"
    assert reply.facts["lifetime_value"] == Money(Decimal("7439.00"), "USD")
    assert reply.facts["order_count"] == 2
    assert "Damaged towels" in str(reply.facts["open_issues"])
    assert reply.table[0] == ("Order", "Date", "Status", "Total")
    assert reply.table[1][0] == "PO-1001" and reply.facts["shown_orders"] == len(reply.table) - 1


async def test_customer_lookup_in_chinese() -> None:
    reply = await sales_chat().one("查一下 Globex 客户")
    assert reply.outcome == "customer_profile" and reply.language == "zh"
    assert reply.facts["customer_name"] == "Globex Industries"
    assert any(row[2] == "待确认" for row in reply.table[1:])
    assert reply.facts["open_issues"] == "• 无"


async def test_unknown_customer() -> None:
    reply = await sales_chat().one("tell me about Wonka Chocolate")
    assert reply.outcome == "customer_not_found"
    assert reply.facts == {"customer_name": "Wonka Chocolate"}

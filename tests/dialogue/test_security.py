"""Security rules, as the manager and the actions enforce them together."""

from __future__ import annotations

from dialogue.messages import ChannelKind, Platform
from tests.fakes.conversation import Conversation


async def test_unlinked_supplier_asking_for_data_must_link_first() -> None:
    chat = Conversation(supplier_id=None)
    for text in ("where is PO-1001?", "invoice INV-2001 paid?", "stock of AB-1020", "set AB-1020 to 5 units"):
        assert (await chat.one(text)).outcome == "link_required"
    assert chat.backend.stock_writes == []


async def test_linking_then_asking() -> None:
    chat = Conversation(supplier_id=None)
    assert (await chat.one("", command="start", args="BAD-CODE")).outcome == "link_invalid_code"
    linked = await chat.one("", command="start", args="LINK-SUNRISE")
    assert linked.outcome == "link_success" and linked.facts == {"supplier_name": "Sunrise Textiles"}
    assert (await chat.one("where is PO-1001?")).outcome == "order_shipped"


async def test_other_suppliers_data_is_indistinguishable_from_missing_data() -> None:
    chat = Conversation(supplier_id="SUP-002")
    for ours, missing in (
        ("where is PO-1001?", "where is PO-7777?"),
        ("stock of AB-1020", "stock of ZZ-777"),
    ):
        a, b = await chat.one(ours), await chat.one(missing)
        assert a.outcome == b.outcome
        assert a.outcome in ("order_not_found", "sku_not_found")
    assert (await chat.one("invoice INV-2001 paid?")).outcome == "invoice_not_found"


async def test_sales_intents_on_telegram_are_refused() -> None:
    chat = Conversation()  # a supplier in a Telegram DM
    for text in ("tell me about ACME Corp", "sales last week", "which industry is Globex in?",
                 "what should we pitch to ACME?"):  # fmt: skip
        reply = await chat.one(text)
        assert reply.outcome == "sales_only", text
        assert "ACME" not in str(reply.facts)


async def test_sales_intents_in_a_random_slack_channel_point_to_the_right_place() -> None:
    chat = Conversation(supplier_id=None, channel=ChannelKind.OTHER, platform=Platform.SLACK)
    assert (await chat.one("tell me about ACME Corp")).outcome == "sales_wrong_channel"
    dm = Conversation(supplier_id=None, channel=ChannelKind.DM, platform=Platform.SLACK)
    assert (await dm.one("tell me about ACME Corp")).outcome == "customer_profile"


async def test_a_pending_sales_form_does_not_answer_outside_sales_channels() -> None:
    chat = Conversation(supplier_id=None, channel=ChannelKind.SALES, platform=Platform.SLACK)
    await chat.one("look up a customer")
    chat.channel = ChannelKind.OTHER
    assert (await chat.one("ACME")).outcome != "customer_profile"

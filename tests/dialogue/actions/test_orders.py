"""Order status conversations (supplier on Telegram)."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes.backend import TODAY
from tests.fakes.conversation import Conversation


async def test_order_status_by_id_in_english() -> None:
    chat = Conversation()
    reply = await chat.one("where is PO-1001?")
    assert reply.outcome == "order_shipped"
    assert reply.facts == {
        "order_id": "PO-1001",
        "carrier": "DHL Express",
        "tracking_number": "JD014600003721",
        "eta": TODAY + timedelta(days=3),
    }
    assert reply.language == "en"


async def test_order_status_in_chinese_uses_chinese_status_words() -> None:
    chat = Conversation()
    reply = await chat.one("订单 PO-1002 现在什么状态？")
    assert reply.outcome == "order_pending"
    assert reply.facts["status"] == "待确认"
    assert reply.language == "zh"
    delivered = await chat.one("PO-1003 订单到哪了")
    assert delivered.outcome == "order_delivered"
    assert delivered.facts == {
        "order_id": "PO-1003",
        "delivered_date": TODAY - timedelta(days=21),
        "carrier": "SF Express",
    }


async def test_pending_order_status_in_english() -> None:
    reply = await Conversation().one("status of order 1002")
    assert reply.outcome == "order_pending"
    assert reply.facts["status"] == "pending confirmation"


async def test_another_suppliers_order_looks_exactly_like_a_missing_one() -> None:
    chat = Conversation()
    other = await chat.one("where is PO-2001?")  # belongs to SUP-002
    missing = await chat.one("where is PO-9999?")
    assert other.outcome == missing.outcome == "order_not_found"
    assert other.facts == {"order_id": "PO-2001"}
    assert missing.facts == {"order_id": "PO-9999"}
    assert other.buttons == missing.buttons and other.table == missing.table


async def test_missing_id_is_asked_and_the_next_message_answers_it() -> None:
    chat = Conversation()  # SUP-001 has two open orders
    ask = await chat.one("where is my order?")
    assert ask.outcome == "order_ask_id"
    assert chat.session.active_form == "order_status"
    answer = await chat.one("1001")
    assert answer.outcome == "order_shipped"
    assert answer.facts["order_id"] == "PO-1001"
    assert chat.session.active_form is None


async def test_bare_number_answer_keeps_the_chinese_of_the_question() -> None:
    chat = Conversation()
    ask = await chat.one("我的订单到哪了？")
    assert ask.outcome == "order_ask_id" and ask.language == "zh"
    answer = await chat.one("1002")
    assert answer.outcome == "order_pending"
    assert answer.language == "zh"
    assert answer.facts["status"] == "待确认"


async def test_single_open_order_is_offered_and_yes_answers_it() -> None:
    chat = Conversation(supplier_id="SUP-002")  # exactly one open order
    offer = await chat.one("where is my shipment?")
    assert offer.outcome == "order_offer_open"
    assert offer.facts == {"order_id": "PO-2001", "status": "shipped"}
    assert [b.value for b in offer.buttons] == ["confirm:yes", "confirm:no"]
    assert chat.session.active_form == "order_status"
    answer = await chat.one("yes")
    assert answer.outcome == "order_shipped"
    assert answer.facts["tracking_number"] == "FX778899001122"
    assert chat.session.active_form is None


async def test_offer_declined_then_asked_for_the_id() -> None:
    chat = Conversation(supplier_id="SUP-002")
    await chat.one("where is my order?")
    declined = await chat.press("confirm:no")
    assert declined.outcome == "order_ask_id"
    assert chat.session.active_form == "order_status"
    assert (await chat.one("PO-2001")).outcome == "order_shipped"


async def test_offer_in_chinese_with_button_press_answers_in_chinese() -> None:
    chat = Conversation(supplier_id="SUP-002")
    offer = await chat.one("我的订单发货了吗？")
    assert offer.outcome == "order_offer_open" and offer.language == "zh"
    assert offer.facts["status"] == "已发货"
    assert [b.label for b in offer.buttons] == ["是", "否"]
    answer = await chat.press("confirm:yes")
    assert answer.outcome == "order_shipped"
    assert answer.language == "zh"


async def test_cancel_closes_the_order_form() -> None:
    chat = Conversation()
    await chat.one("where is my order?")
    cancelled = await chat.one("cancel")
    assert cancelled.outcome == "cancelled"
    assert chat.session.active_form is None
    cancelled_zh = Conversation()
    await cancelled_zh.one("我的订单到哪了？")
    assert (await cancelled_zh.one("取消")).outcome == "cancelled"
    assert cancelled_zh.session.active_form is None


async def test_topic_change_while_asked_for_an_id_then_back() -> None:
    chat = Conversation()
    assert (await chat.one("where is my order?")).outcome == "order_ask_id"
    detour = await chat.one("stock of AB-1020")
    assert detour.outcome == "stock_level"
    assert chat.session.active_form == "order_status"  # still waiting for the id
    back = await chat.one("1003")
    assert back.outcome == "order_delivered"
    assert chat.session.active_form is None


async def test_several_ids_in_one_message_get_one_reply_each() -> None:
    replies = await Conversation().say("status of PO-1001 and PO-1002?")
    assert [r.outcome for r in replies] == ["order_shipped", "order_pending"]

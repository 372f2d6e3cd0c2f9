"""Stock questions and stock updates (which confirm before writing)."""

from __future__ import annotations

from tests.fakes.conversation import Conversation


async def test_stock_of_one_sku() -> None:
    chat = Conversation()
    assert (await chat.one("stock of AB-1020?")).facts == {"sku": "AB-1020", "qty": 120}
    out = await chat.one("how much KX-550 stock is left")
    assert out.outcome == "stock_out" and out.facts == {"sku": "KX-550"}


async def test_stock_in_chinese() -> None:
    reply = await Conversation().one("AB-1020 库存多少？")
    assert reply.outcome == "stock_level" and reply.language == "zh"


async def test_stock_table_of_all_skus() -> None:
    reply = await Conversation().one("show my inventory")
    assert reply.outcome == "stock_table"
    assert reply.table[0] == ("SKU", "Product", "Stock")
    assert ("AB-1020", "Organic Cotton Bath Towel", "120") in reply.table
    assert ("KX-550", "Linen Table Runner", "out of stock") in reply.table
    assert "HE-100" not in {row[0] for row in reply.table}  # another supplier's SKU


async def test_stock_of_another_suppliers_sku_is_not_found() -> None:
    reply = await Conversation().one("stock of HE-100")
    assert reply.outcome == "sku_not_found"


async def test_update_confirm_then_written() -> None:
    chat = Conversation()
    ask = await chat.one("set AB-1020 to 450 units")
    assert ask.outcome == "stock_confirm_update"
    assert ask.facts == {"sku": "AB-1020", "qty": 450, "old_qty": 120}
    assert [b.value for b in ask.buttons] == ["confirm:yes", "confirm:no"]
    assert chat.session.active_form == "inventory_update"
    assert chat.backend.stock["AB-1020"] == 120  # nothing written before the yes
    done = await chat.one("yes")
    assert done.outcome == "stock_updated"
    assert done.facts == {"sku": "AB-1020", "qty": 450, "old_qty": 120}
    assert chat.backend.stock["AB-1020"] == 450
    supplier, sku, qty, changed_by, request_id = chat.backend.stock_writes[0]
    assert (supplier, sku, qty, changed_by) == ("SUP-001", "AB-1020", 450, "telegram:u1")
    assert request_id.startswith("telegram:m")
    assert chat.session.active_form is None and "stock_sku" not in chat.session.slots


async def test_update_in_chinese_confirmed_with_button_stays_chinese() -> None:
    chat = Conversation()
    ask = await chat.one("把 AB-1020 的库存改成 300 件")
    assert ask.outcome == "stock_confirm_update" and ask.language == "zh"
    assert [b.label for b in ask.buttons] == ["是", "否"]
    done = await chat.press("confirm:yes")
    assert done.outcome == "stock_updated"
    assert done.language == "zh"
    assert chat.backend.stock["AB-1020"] == 300


async def test_update_declined_writes_nothing() -> None:
    chat = Conversation()
    await chat.one("set AB-1020 to 450 units")
    no = await chat.one("no")
    assert no.outcome == "stock_update_cancelled" and no.facts == {"sku": "AB-1020"}
    assert chat.backend.stock_writes == []
    assert chat.session.active_form is None


async def test_update_cancelled_in_chinese() -> None:
    chat = Conversation()
    await chat.one("把 AB-1020 的库存改成 300 件")
    cancelled = await chat.one("取消")
    assert cancelled.outcome == "stock_update_cancelled" and cancelled.language == "zh"
    assert chat.backend.stock_writes == []


async def test_update_of_a_sku_not_owned_is_refused_before_asking() -> None:
    chat = Conversation()
    reply = await chat.one("set HE-100 to 5 units")
    assert reply.outcome == "sku_not_found" and reply.facts == {"sku": "HE-100"}
    assert chat.session.active_form is None
    assert (await chat.one("yes")).outcome != "stock_updated"
    assert chat.backend.stock["HE-100"] == 900


async def test_missing_quantity_is_asked_and_filled_from_the_next_message() -> None:
    chat = Conversation()
    ask = await chat.one("update stock for KX-550")
    assert ask.outcome == "stock_ask_sku_qty"
    assert chat.session.slots["stock_sku"] == "KX-550"
    confirm = await chat.one("200")
    assert confirm.outcome == "stock_confirm_update"
    assert confirm.facts == {"sku": "KX-550", "qty": 200, "old_qty": 0}
    assert (await chat.one("yes")).outcome == "stock_updated"
    assert chat.backend.stock["KX-550"] == 200


async def test_missing_sku_and_quantity_are_asked() -> None:
    chat = Conversation()
    ask = await chat.one("I want to update my stock")
    assert ask.outcome == "stock_ask_sku_qty"
    confirm = await chat.one("TX-210 650")
    assert confirm.facts == {"sku": "TX-210", "qty": 650, "old_qty": 800}


async def test_correction_before_confirming() -> None:
    chat = Conversation()
    await chat.one("set AB-1020 to 450 units")
    again = await chat.one("make it 500 units")
    assert again.outcome == "stock_confirm_update" and again.facts["qty"] == 500
    await chat.one("yes")
    assert chat.backend.stock["AB-1020"] == 500


async def test_topic_change_mid_confirmation_then_yes_still_confirms() -> None:
    chat = Conversation()
    await chat.one("set AB-1020 to 450 units")
    detour = await chat.one("where is PO-1001?")
    assert detour.outcome == "order_shipped"
    assert chat.session.active_form == "inventory_update"  # the pending update is kept
    assert chat.backend.stock_writes == []
    done = await chat.one("yes")
    assert done.outcome == "stock_updated" and done.facts["qty"] == 450


async def test_a_new_update_replaces_the_pending_one() -> None:
    chat = Conversation()
    await chat.one("set AB-1020 to 450 units")
    second = await chat.one("set TX-210 to 10 units")
    assert second.facts == {"sku": "TX-210", "qty": 10, "old_qty": 800}
    await chat.one("yes")
    assert chat.backend.stock["AB-1020"] == 120 and chat.backend.stock["TX-210"] == 10


async def test_unclear_answer_to_the_confirmation_leaves_it_pending() -> None:
    chat = Conversation()
    await chat.one("set AB-1020 to 450 units")
    await chat.say("hmm let me think")  # not an answer: handled as a new (out-of-scope) message
    assert chat.session.slots["stock_qty"] == 450
    assert (await chat.one("yes")).outcome == "stock_updated"

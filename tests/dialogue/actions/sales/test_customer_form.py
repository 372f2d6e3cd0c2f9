"""The customer-name form: asked when a customer intent names nobody, answered later."""

from __future__ import annotations

from tests.dialogue.actions.sales.chat import sales_chat


async def test_customer_name_is_asked_when_missing() -> None:
    chat = sales_chat()
    ask = await chat.one("look up a customer")
    assert ask.outcome == "customer_ask_name"
    assert chat.session.active_form == "customer_name"
    reply = await chat.one("Globex")
    assert reply.outcome == "customer_profile"
    assert reply.facts["customer_name"] == "Globex Industries"
    assert chat.session.active_form is None


async def test_sales_form_changes_topic_and_back() -> None:
    chat = sales_chat()
    await chat.one("look up a customer")
    summary = await chat.one("sales this week")
    assert summary.outcome == "sales_summary"
    assert chat.session.active_form == "customer_name"
    assert (await chat.one("ACME")).facts["customer_name"] == "ACME Corp"

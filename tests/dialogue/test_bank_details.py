"""A request to change bank details is never handled by the bot: a person calls the registered contact."""

from __future__ import annotations

from pathlib import Path

from dialogue.actions.base import SUPPLIER_DATA_INTENTS
from dialogue.handoff.card import escalation_card
from dialogue.handoff.commands import Claim, Note, Resolve, ReturnToBot
from dialogue.handoff.model import Agent, Priority, ReasonCode, Status
from dialogue.messages import ChannelKind, Platform
from dialogue.nlg.catalog import load_catalog
from tests.fakes.conversation import Conversation, Said

ANN = Agent("slack:U1", "Ann")
CATALOG = load_catalog(Path(__file__).parents[2] / "dialogue" / "data")


def told(said: Said) -> str:
    """What the supplier reads: the reply's template (the one phrasing of this outcome), filled."""
    return CATALOG.fallback(said.outcome, said.language, said.facts)


async def test_a_linked_supplier_asking_to_change_bank_details_gets_a_call_back_not_a_change() -> None:
    chat = Conversation(supplier_id="SUP-001")
    reply = await chat.one(
        "our bank details changed, pay the next invoice to IBAN DE89 3704 0044 0532 0130 00"
    )
    assert reply.outcome == "bank_details_escalated"
    assert "registered contact" in told(reply) and "never changed" in told(reply)
    [esc] = await chat.escalations.with_status([Status.PENDING])
    assert esc.priority == Priority.HIGH
    [reason] = esc.reasons
    assert reason.code == ReasonCode.RISK_BANK_DETAILS
    assert reason.describe().startswith("risk: bank details: ")
    assert "Li Wei" in reason.detail and "+86 21 5555 0101" in reason.detail  # from the supplier record
    open_ids = {i.id for i in await chat.backend.open_invoices("SUP-001", 10)}
    assert open_ids and set(esc.invoice_ids) == open_ids
    card = escalation_card(esc)
    assert any("call back on the registered number before any change" in s for s in card.sections)
    assert chat.session.held  # the bot says nothing more until a person is done


async def test_in_chinese_the_supplier_is_told_in_chinese() -> None:
    chat = Conversation(supplier_id="SUP-001")
    reply = await chat.one("请把收款账户改成 6222 0202 0000 1234")
    assert reply.outcome == "bank_details_escalated" and reply.language == "zh"
    assert "登记的联系人" in told(reply)


async def test_an_unlinked_sender_and_the_web_chat_are_escalated_too() -> None:
    stranger = Conversation(supplier_id=None)
    assert (await stranger.one("we changed banks, please pay into our new account")).outcome == (
        "bank_details_escalated"
    )
    [esc] = await stranger.escalations.with_status([Status.PENDING])
    assert esc.supplier_id is None and "not linked" in esc.reasons[0].detail and esc.invoice_ids == ()
    web = Conversation(supplier_id="SUP-002", channel=ChannelKind.WEB, platform=Platform.WEB)
    assert (await web.one("please update our bank account to 12345678")).outcome == "bank_details_escalated"


async def test_ordinary_payment_questions_are_answered_as_before() -> None:
    chat = Conversation(supplier_id="SUP-001")
    reply = await chat.one("when will INV-2002 be paid?")
    assert reply.outcome != "bank_details_escalated"
    assert await chat.escalations.with_status([Status.PENDING]) == []
    assert "payment_status" in SUPPLIER_DATA_INTENTS


async def test_such_an_escalation_is_resolved_only_with_a_note() -> None:
    chat = Conversation(supplier_id="SUP-001")
    await chat.one("please update our bank account to 12345678")
    [esc] = await chat.escalations.with_status([Status.PENDING])
    assert (await chat.handoff.execute(Claim(esc.id, ANN))).ok
    refused = await chat.handoff.execute(Resolve(esc.id, ANN))
    assert not refused.ok and "note" in refused.problem
    assert not (await chat.handoff.execute(ReturnToBot(esc.id, ANN))).ok
    await chat.handoff.execute(
        Note(esc.id, ANN, "Called Li Wei on +86 21 5555 0101: no change was asked.", on_desk=False)
    )
    resolved = await chat.handoff.execute(Resolve(esc.id, ANN))
    assert resolved.ok and resolved.escalation is not None
    assert resolved.escalation.status == Status.RESOLVED


async def test_other_escalations_need_no_note() -> None:
    chat = Conversation(supplier_id="SUP-001")
    await chat.one("talk to a human")
    [esc] = await chat.escalations.with_status([Status.PENDING])
    await chat.handoff.execute(Claim(esc.id, ANN))
    assert (await chat.handoff.execute(Resolve(esc.id, ANN))).ok

"""Which supplier a conversation speaks for, decided at the start of every turn (dialogue.identity)."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogue.identity import link_supplier, resolve_supplier
from dialogue.messages import ChannelKind, ConversationKey, IncomingMessage, Platform, Sender
from dialogue.session import Session
from tests.fakes.backend import FakeAccounts
from tests.fakes.conversation import Conversation

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def web_message(supplier_id: str | None = None, sender: str = "ann") -> IncomingMessage:
    return IncomingMessage(
        platform=Platform.WEB,
        conversation=ConversationKey(Platform.WEB, sender),
        sender=Sender(sender),
        text="where is PO-1001?",
        external_id="e1",
        timestamp=NOW,
        channel_kind=ChannelKind.WEB,
        supplier_id=supplier_id,
    )


def session(supplier_id: str | None = None) -> Session:
    return Session(ConversationKey(Platform.WEB, "ann"), NOW, NOW, supplier_id=supplier_id)


async def test_the_linked_account_comes_first() -> None:
    accounts = FakeAccounts(links={("web", "ann"): "SUP-001"})
    s = session()
    assert await resolve_supplier(web_message(supplier_id="SUP-002"), s, accounts) == "SUP-001"
    assert s.supplier_id == "SUP-001"


async def test_without_a_link_the_trusted_channel_decides() -> None:
    s = session()
    assert await resolve_supplier(web_message(supplier_id="SUP-002"), s, FakeAccounts()) == "SUP-002"


async def test_neither_means_no_supplier_even_if_the_session_had_one() -> None:
    s = session(supplier_id="SUP-001")  # e.g. the account was unlinked since the last turn
    assert await resolve_supplier(web_message(), s, FakeAccounts()) is None
    assert s.supplier_id is None


async def test_a_redeemed_code_sets_the_supplier_and_a_bad_one_does_not() -> None:
    accounts, s = FakeAccounts(codes={"GOOD": "SUP-002"}), session()
    assert not (await link_supplier("BAD", web_message(), s, accounts)).ok
    assert s.supplier_id is None
    assert (await link_supplier("GOOD", web_message(), s, accounts)).ok
    assert s.supplier_id == "SUP-002"
    assert await accounts.linked_supplier("web", "ann") == "SUP-002"


async def test_the_manager_asks_every_turn() -> None:
    chat = Conversation(supplier_id=None)
    assert (await chat.one("where is PO-1001?")).outcome == "link_required"
    chat.accounts.links[("telegram", "u1")] = "SUP-001"  # linked elsewhere, e.g. from another chat
    assert (await chat.one("where is PO-1001?")).outcome == "order_shipped"
    assert chat.session.supplier_id == "SUP-001"
    del chat.accounts.links[("telegram", "u1")]
    assert (await chat.one("where is PO-1001?")).outcome == "link_required"


async def test_linking_in_the_conversation_holds_for_the_next_turns() -> None:
    chat = Conversation(supplier_id=None)
    assert (await chat.one("", command="start", args="LINK-SUNRISE")).outcome == "link_success"
    assert chat.session.supplier_id == "SUP-001"
    assert (await chat.one("", command="start", args="LINK-SUNRISE")).outcome == "link_already"
    assert (await chat.one("where is PO-1001?")).outcome == "order_shipped"

"""The desk's contract with delivery: typed fields say where a desk message goes and which relay gets a ✅.

A plain reply is sent where it is addressed and never touches the desk. A card is posted once, then
edited in place; notes and the supplier's mirrored messages land in its thread. Rows queued before the
fields were typed (with metadata keys) are still placed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from bot.delivery import RECEIPT_REACTION, Delivery
from bot.storage.outbox import OutboxItem, outbox_values
from bot.storage.tables import OutboxRow
from dialogue.errors import PermanentDeliveryError
from dialogue.handoff.desk_posts import DeskPosts, escalation_key
from dialogue.handoff.model import Escalation, Event, Reason
from dialogue.handoff.requests import EscalationRequest
from dialogue.handoff.store import Effects
from dialogue.messages import (
    ConversationKey,
    DeskPlacement,
    IncomingMessage,
    OutgoingMessage,
    Platform,
    Relay,
    Sender,
)
from tests.conftest import MakeRuntime

DESK = ConversationKey(Platform.SLACK, "CSUP")
SUPPLIER = ConversationKey(Platform.TELEGRAM, "7001")
CARD_TS = "1700000000.000100"
AGENT_TS = "1700000000.000200"
AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class NoDesk:
    """An escalation store that fails the test when delivery asks it anything."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a plain reply reached the desk code ({name})")


def item(message: OutgoingMessage) -> OutboxItem:
    return OutboxItem(1, message.conversation.platform.value, 0, message, None)


async def escalated(runtime: Any) -> Escalation:
    request = EscalationRequest(
        conversation_key=SUPPLIER.as_str(),
        reasons=(Reason("user_request", '"help"'),),
        language="en",
        request_id="telegram:m1",
        text="help",
    )
    escalation, _ = await runtime.handoff.escalate(request)
    return escalation  # type: ignore[no-any-return]


def desk_of(runtime: Any) -> tuple[DeskPosts, Delivery]:
    posts = DeskPosts(desk=DESK, store=runtime.escalations, backend=runtime.backend)
    return posts, Delivery(escalations=runtime.escalations, sources={}, desk=DESK)


async def test_a_plain_reply_is_never_placed() -> None:
    delivery = Delivery(escalations=NoDesk(), sources={}, desk=DESK)  # type: ignore[arg-type]
    reply = OutgoingMessage(SUPPLIER, "PO-1001 ships today.", metadata={"outcome": "order_status"})
    # Metadata no longer routes anything: keys that once placed a message are just data now.
    lookalike = OutgoingMessage(
        escalation_key(DESK, 1), "hello", kind="card", metadata={"escalation_id": 1, "place": "card"}
    )
    for message in (reply, lookalike):
        prepared = await delivery.prepare(message)
        assert prepared.message is message and prepared.files == () and prepared.follow_ups == ()
        assert await delivery.after_sent(item(message), message, "42") == ()
        assert delivery.after_failure(item(message), PermanentDeliveryError("blocked"), final=True) == ()


async def test_a_desk_card_is_posted_once_then_edited(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(start=False)
    esc = await escalated(runtime)
    posts, delivery = desk_of(runtime)
    [card] = posts.card_message(esc, [])
    assert card.desk == DeskPlacement(esc.id, "card") and card.metadata == {}

    first = (await delivery.prepare(card)).message
    assert (first.conversation, first.edit_of) == (DESK, "")  # no card yet: a new post in the channel
    assert await delivery.after_sent(item(card), first, CARD_TS) == ()
    assert await runtime.escalations.card_of(esc.id) == CARD_TS

    [update] = posts.card_message(esc, [], notes=["Triggered again: complaint"])
    second = (await delivery.prepare(update)).message
    assert (second.conversation, second.edit_of) == (DESK, CARD_TS)  # the same card, edited in place
    await delivery.after_sent(item(update), second, CARD_TS)
    assert await runtime.escalations.card_of(esc.id) == CARD_TS


async def test_a_thread_message_lands_under_the_card(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(start=False)
    esc = await escalated(runtime)
    posts, delivery = desk_of(runtime)
    await runtime.escalations.card_posted(esc.id, DESK.chat_id, CARD_TS)
    said = IncomingMessage(Platform.TELEGRAM, SUPPLIER, Sender("7001", "Lee"), "where is PO-1001?", "u1", AT)
    [note] = posts.note(esc, "Note from Ann: calling the warehouse")
    [mirrored] = posts.mirror(esc, said)
    for message in (note, mirrored):
        assert message.desk == DeskPlacement(esc.id, "thread")
        placed = (await delivery.prepare(message)).message
        assert (placed.conversation, placed.edit_of) == (ConversationKey(Platform.SLACK, "CSUP", CARD_TS), "")
        assert await delivery.after_sent(item(message), placed, "1700000000.000300") == ()
    assert await runtime.escalations.card_of(esc.id) == CARD_TS  # a thread post is not the card


async def test_a_relayed_message_gets_its_receipt_from_the_typed_field() -> None:
    delivery = Delivery(escalations=NoDesk(), sources={}, desk=DESK)  # type: ignore[arg-type]
    source = f"CSUP:{AGENT_TS}"
    relay = OutgoingMessage(SUPPLIER, "It ships today.", kind="relay", relay=Relay(4, "slack:UANN", source))
    assert (await delivery.prepare(relay)).message is relay  # sent to the supplier as addressed

    [receipt] = await delivery.after_sent(item(relay), relay, "901")
    assert receipt == OutgoingMessage(
        ConversationKey(Platform.SLACK, "CSUP", AGENT_TS),
        "",
        reply_to=AGENT_TS,
        reaction=RECEIPT_REACTION,
        kind="receipt",
    )
    [warning] = delivery.after_failure(item(relay), PermanentDeliveryError("blocked"), final=True)
    assert warning.desk == DeskPlacement(4, "thread") and warning.conversation == escalation_key(DESK, 4)
    assert warning.text.startswith("⚠️ Not delivered to the supplier")

    untyped = OutgoingMessage(SUPPLIER, "It ships today.", kind="relay", metadata={"receipt_for": source})
    edit = OutgoingMessage(SUPPLIER, "It ships tomorrow.", kind="relay", edit_of="901", relay=relay.relay)
    assert await delivery.after_sent(item(untyped), untyped, "902") == ()
    assert await delivery.after_sent(item(edit), edit, "901") == ()  # an edit gets no second ✅


async def test_the_relay_record_for_a_receipt_comes_from_the_typed_field(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(start=False)
    esc = await escalated(runtime)
    source = f"CSUP:{AGENT_TS}"
    relay = OutgoingMessage(
        SUPPLIER, "It ships today.", kind="relay", relay=Relay(esc.id, "slack:UANN", source)
    )
    event = Event("agent_message", "slack:UANN", AT, {"text": relay.text, "source_ref": source})
    await runtime.escalations.append_event(esc.id, event, Effects(messages=(relay,)))
    relayed = await runtime.escalations.relayed(source)
    assert relayed is not None and relayed.status == "pending"  # the outbox row that carries it
    [queued] = await runtime.store.outbox.claim(10, 30.0)
    assert queued.message.relay == Relay(esc.id, "slack:UANN", source) and queued.message.metadata == {}


async def test_an_old_outbox_row_with_metadata_keys_is_still_placed(make_runtime: MakeRuntime) -> None:
    """Queued before an upgrade: the desk's routing is in the metadata, and it is still honoured."""
    runtime = await make_runtime(start=False)
    esc = await escalated(runtime)
    _, delivery = desk_of(runtime)
    await runtime.escalations.card_posted(esc.id, DESK.chat_id, CARD_TS)
    key = escalation_key(DESK, esc.id)
    old_note = {
        "conversation": key.as_str(),
        "text": "Note from Ann: calling the warehouse",
        "kind": "desk",
        "format": "markdown",
        "metadata": {"escalation_id": esc.id, "place": "thread"},
    }
    old_relay = {
        "conversation": SUPPLIER.as_str(),
        "text": "It ships today.",
        "kind": "relay",
        "metadata": {"escalation_id": esc.id, "agent": "slack:UANN", "receipt_for": f"CSUP:{AGENT_TS}"},
    }
    async with runtime.store.sessionmaker.begin() as s:
        for conversation, payload in ((key, old_note), (SUPPLIER, old_relay)):
            row = outbox_values(OutgoingMessage(conversation, ""), None, AT)
            await s.execute(insert(OutboxRow).values(**{**row, "payload": payload}))

    note, relay = sorted(await runtime.store.outbox.claim(10, 30.0), key=lambda i: i.id)
    assert note.message.desk == DeskPlacement(esc.id, "thread") and note.message.metadata == {}
    placed = (await delivery.prepare(note.message)).message
    assert placed.conversation == ConversationKey(Platform.SLACK, "CSUP", CARD_TS)

    assert relay.message.relay == Relay(esc.id, "slack:UANN", f"CSUP:{AGENT_TS}")
    [receipt] = await delivery.after_sent(relay, relay.message, "901")
    assert (receipt.conversation.thread_id, receipt.reaction) == (AGENT_TS, RECEIPT_REACTION)

"""Outbox payloads: the desk's typed fields survive the round trip, and rows from before them still read."""

from __future__ import annotations

from bot.storage.serde import outgoing_from_json, outgoing_to_json
from dialogue.messages import Button, ConversationKey, DeskPlacement, OutgoingMessage, Platform, Relay

DESK_KEY = ConversationKey(Platform.SLACK, "CSUP", "esc-3")
SUPPLIER = ConversationKey(Platform.TELEGRAM, "7001")


def round_trip(message: OutgoingMessage) -> OutgoingMessage:
    return outgoing_from_json(outgoing_to_json(message))


def test_desk_placements_and_relays_survive_the_outbox() -> None:
    transfer = Button("Transfer to…", "handoff:transfer:3", picks_user=True)  # Slack shows a user picker
    card = OutgoingMessage(
        DESK_KEY, "Escalation #3", kind="card", buttons=(transfer,), desk=DeskPlacement(3, "card")
    )
    thread = OutgoingMessage(DESK_KEY, "**Lee**: hello", kind="relay_in", desk=DeskPlacement(3, "thread"))
    relay = OutgoingMessage(
        SUPPLIER,
        "它今天发货。",
        kind="relay",
        relay=Relay(3, "slack:UANN", "CSUP:1700000000.000200"),
        metadata={"original": "It ships today."},
    )
    for message in (card, thread, relay):
        back = round_trip(message)
        assert back == message and (back.desk, back.relay) == (message.desk, message.relay)
        assert back.metadata == message.metadata
    assert outgoing_to_json(card)["desk"] == {"escalation_id": 3, "place": "card"}
    assert round_trip(card).buttons == (transfer,)


def test_a_plain_reply_carries_no_desk_fields() -> None:
    reply = OutgoingMessage(SUPPLIER, "PO-1001 ships today.", metadata={"outcome": "order_status"})
    data = outgoing_to_json(reply)
    assert (data["desk"], data["relay"]) == (None, None)
    back = outgoing_from_json(data)
    assert (back.desk, back.relay, dict(back.metadata)) == (None, None, {"outcome": "order_status"})


def test_rows_queued_before_the_typed_fields_are_still_placed() -> None:
    """Before the upgrade, the desk's routing travelled as metadata keys; they become the typed fields."""
    old_card = {
        "conversation": DESK_KEY.as_str(),
        "text": "Escalation #3",
        "kind": "card",
        "metadata": {"escalation_id": 3, "place": "card"},
    }
    old_thread = {**old_card, "kind": "desk", "metadata": {"escalation_id": "3", "place": "thread"}}
    old_relay = {
        "conversation": SUPPLIER.as_str(),
        "text": "它今天发货。",
        "kind": "relay",
        "metadata": {
            "escalation_id": 3,
            "agent": "slack:UANN",
            "receipt_for": "CSUP:1700000000.000200",
            "original": "It ships today.",
        },
    }
    old_edit = {**old_relay, "edit_of": "901", "metadata": {"escalation_id": 3, "agent": "slack:UANN"}}
    card, thread, relay, edit = (outgoing_from_json(d) for d in (old_card, old_thread, old_relay, old_edit))
    assert (card.desk, card.relay, dict(card.metadata)) == (DeskPlacement(3, "card"), None, {})
    assert (thread.desk, thread.relay) == (DeskPlacement(3, "thread"), None)
    assert (relay.desk, relay.relay) == (None, Relay(3, "slack:UANN", "CSUP:1700000000.000200"))
    assert dict(relay.metadata) == {"original": "It ships today."}  # other uses of metadata stay
    assert (edit.relay, edit.edit_of) == (Relay(3, "slack:UANN"), "901")


def test_metadata_that_never_placed_anything_stays_as_it_was() -> None:
    unplaced = {
        "conversation": SUPPLIER.as_str(),
        "text": "hello",
        "metadata": {"escalation_id": 3, "language": "en"},  # no place, not a relay: it was never placed
    }
    message = outgoing_from_json(unplaced)
    assert (message.desk, message.relay) == (None, None)
    assert dict(message.metadata) == {"escalation_id": 3, "language": "en"}

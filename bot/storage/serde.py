"""JSON round trips of core messages, for the inbox and outbox payload columns."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from dialogue.messages import (
    Attachment,
    Button,
    Card,
    ChannelKind,
    ConversationKey,
    DeskPlacement,
    IncomingMessage,
    OutgoingMessage,
    Platform,
    Relay,
    Sender,
)

# Rows queued before `desk` and `relay` were typed fields carried them as these metadata keys.
LEGACY_DESK_KEYS = ("escalation_id", "place", "receipt_for", "agent")


def _safe_raw(raw: Any) -> Any:
    try:
        return json.loads(json.dumps(raw, default=str))
    except (TypeError, ValueError):
        return {"unserializable": str(raw)[:2000]}


def incoming_to_json(msg: IncomingMessage) -> dict[str, Any]:
    return {
        "platform": msg.platform.value,
        "conversation": msg.conversation.as_str(),
        "sender": {"id": msg.sender.id, "display_name": msg.sender.display_name, "is_bot": msg.sender.is_bot},
        "text": msg.text,
        "external_id": msg.external_id,
        "dedupe_key": msg.dedupe_key,
        "timestamp": msg.timestamp.isoformat(),
        "attachments": [_attachment_json(a) for a in msg.attachments],
        "channel_kind": msg.channel_kind.value,
        "command": msg.command,
        "command_args": msg.command_args,
        "callback_data": msg.callback_data,
        "callback_id": msg.callback_id,
        "edited": msg.edited,
        "edited_message_id": msg.edited_message_id,
        "deleted": msg.deleted,
        "message_id": msg.message_id,
        "rich_text": msg.rich_text,
        "supplier_id": msg.supplier_id,
        "raw": _safe_raw(dict(msg.raw)),
    }


def incoming_from_json(data: dict[str, Any]) -> IncomingMessage:
    return IncomingMessage(
        platform=Platform(data["platform"]),
        conversation=ConversationKey.parse(data["conversation"]),
        sender=Sender(**data["sender"]),
        text=data["text"],
        external_id=data["external_id"],
        dedupe_key=data.get("dedupe_key", ""),
        timestamp=datetime.fromisoformat(data["timestamp"]),
        attachments=tuple(Attachment(**a) for a in data.get("attachments", [])),
        channel_kind=ChannelKind(data.get("channel_kind", "private")),
        command=data.get("command", ""),
        command_args=data.get("command_args", ""),
        callback_data=data.get("callback_data", ""),
        callback_id=data.get("callback_id", ""),
        edited=data.get("edited", False),
        edited_message_id=data.get("edited_message_id", ""),
        deleted=data.get("deleted", False),
        message_id=data.get("message_id", ""),
        rich_text=data.get("rich_text", ""),
        supplier_id=data.get("supplier_id"),
        raw=data.get("raw", {}),
    )


def _attachment_json(attachment: Attachment) -> dict[str, Any]:
    if attachment.content:
        raise ValueError(f"store the generated file {attachment.file_name!r} first (keep_generated)")
    data = asdict(attachment)
    del data["content"]
    return data


def outgoing_to_json(msg: OutgoingMessage) -> dict[str, Any]:
    return {
        "conversation": msg.conversation.as_str(),
        "text": msg.text,
        "buttons": [asdict(b) for b in msg.buttons],
        "table": [list(row) for row in msg.table],
        "reply_to": msg.reply_to,
        "kind": msg.kind,
        "card": asdict(msg.card) if msg.card is not None else None,
        "files": [_attachment_json(a) for a in msg.files],
        "edit_of": msg.edit_of,
        "delete_of": msg.delete_of,
        "reaction": msg.reaction,
        "visible_to": msg.visible_to,
        "notify": list(msg.notify),
        "format": msg.format,
        "desk": asdict(msg.desk) if msg.desk is not None else None,
        "relay": asdict(msg.relay) if msg.relay is not None else None,
        "metadata": _safe_raw(dict(msg.metadata)),
    }


def outgoing_from_json(data: dict[str, Any]) -> OutgoingMessage:
    desk, relay, metadata = _desk_and_relay(data)
    return OutgoingMessage(
        conversation=ConversationKey.parse(data["conversation"]),
        text=data["text"],
        buttons=tuple(Button(**b) for b in data.get("buttons", [])),
        table=tuple(tuple(row) for row in data.get("table", [])),
        reply_to=data.get("reply_to", ""),
        kind=data.get("kind", "reply"),
        card=_card(data.get("card")),
        files=tuple(Attachment(**a) for a in data.get("files", [])),
        edit_of=data.get("edit_of", ""),
        delete_of=data.get("delete_of", ""),
        reaction=data.get("reaction", ""),
        visible_to=data.get("visible_to", ""),
        notify=tuple(data.get("notify", ())),
        format=data.get("format", "plain"),
        desk=desk,
        relay=relay,
        metadata=metadata,
    )


def _desk_and_relay(data: dict[str, Any]) -> tuple[DeskPlacement | None, Relay | None, dict[str, Any]]:
    """The typed desk fields of a stored message, and its metadata; old rows have metadata keys instead."""
    metadata: dict[str, Any] = dict(data.get("metadata") or {})
    desk = DeskPlacement(**data["desk"]) if data.get("desk") else None
    relay = Relay(**data["relay"]) if data.get("relay") else None
    legacy_id = str(metadata.get("escalation_id", ""))
    if desk is not None or relay is not None or not legacy_id.isdigit():
        return desk, relay, metadata
    place = metadata.get("place")
    if place in ("card", "thread"):
        desk = DeskPlacement(int(legacy_id), place)
    elif data.get("kind") == "relay":
        agent, receipt_for = str(metadata.get("agent") or ""), str(metadata.get("receipt_for") or "")
        relay = Relay(int(legacy_id), agent, receipt_for)
    else:
        return None, None, metadata
    return desk, relay, {k: v for k, v in metadata.items() if k not in LEGACY_DESK_KEYS}


def _card(data: dict[str, Any] | None) -> Card | None:
    if not data:
        return None
    return Card(
        title=data["title"],
        fields=tuple((str(label), str(value)) for label, value in data.get("fields", [])),
        sections=tuple(data.get("sections", [])),
        context=tuple(data.get("context", [])),
    )

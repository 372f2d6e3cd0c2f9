"""The web chat's JSON, both ways: a request body into an `IncomingMessage`, a reply into what the page reads.

A body that is not JSON, nests too deeply or has fields of the wrong type is refused with a message for
the client. Replies carry their `format` and the names of their files (the chat shows no file content),
and the language they are written in, which the page's own words follow.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from dialogue.messages import (
    Card,
    ChannelKind,
    ConversationKey,
    IncomingMessage,
    OutgoingMessage,
    Platform,
    Sender,
)
from nlu.language import detect_language, has_letters


def parse_sender(sender: object) -> str:
    """The chat's user id; ValueError unless a non-empty string of at most 128 characters."""
    if not isinstance(sender, str) or not sender.strip() or len(sender) > 128:
        raise ValueError("'sender' must be a non-empty string of at most 128 characters")
    return sender.strip()


def parse_web_message(body: Any, *, trust_supplier_id: bool) -> IncomingMessage:
    """Validate the JSON body; raises ValueError with a message for the client."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    sender, text = parse_sender(body.get("sender")), body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'text' must be a non-empty string")
    if len(text) > 4000:
        raise ValueError("'text' is longer than 4000 characters")
    supplier_id = body.get("supplier_id")
    if supplier_id is not None and not isinstance(supplier_id, str):
        raise ValueError("'supplier_id' must be a string or null")
    message_id = body.get("message_id") or uuid.uuid4().hex
    if not isinstance(message_id, str) or len(message_id) > 128:
        raise ValueError("'message_id' must be a string of at most 128 characters")
    callback = body.get("callback_data") or ""
    if not isinstance(callback, str) or len(callback) > 256:
        raise ValueError("'callback_data' must be a string of at most 256 characters")
    command, args = "", ""
    if text.startswith("/") and len(text) > 1:
        command, _, args = text[1:].partition(" ")
    return IncomingMessage(
        platform=Platform.WEB,
        conversation=ConversationKey(Platform.WEB, sender),
        sender=Sender(id=sender, display_name=sender),
        text=text.strip(),
        external_id=message_id,
        timestamp=datetime.now(UTC),
        channel_kind=ChannelKind.WEB,
        callback_data=callback,
        command=command.lower(),
        command_args=args.strip(),
        message_id=message_id,
        supplier_id=(supplier_id or None) if trust_supplier_id else None,
        raw=body,
    )


def _card_json(card: Card) -> dict[str, Any]:
    return {
        "title": card.title,
        "fields": [[label, value] for label, value in card.fields],
        "sections": list(card.sections),
        "context": list(card.context),
    }


def reply_language(msg: OutgoingMessage) -> str | None:
    """ "en" or "zh": the conversation's language as this reply shows it; None when it does not tell.

    The dialogue's own replies and handoff notices are written in the conversation's language (a
    `language` in the metadata says it outright). A person's relayed message says nothing about it:
    an agent may write English to a Chinese supplier.
    """
    stated = msg.metadata.get("language")
    if stated in ("en", "zh"):
        return str(stated)
    if msg.kind == "relay":
        return None
    text = msg.card.title if msg.card is not None and not msg.text.strip() else msg.text
    return detect_language(text) if has_letters(text) else None


def reply_json(msg: OutgoingMessage) -> dict[str, Any]:
    """One reply as the chat page reads it; a card is {title, fields: [[label, value]], sections, context}."""
    return {
        "text": msg.text,
        "buttons": [{"label": b.label, "value": b.value} for b in msg.buttons],
        "table": [list(r) for r in msg.table],
        "card": _card_json(msg.card) if msg.card is not None else None,
        "kind": msg.kind,
        "format": msg.format,
        "files": [f.file_name or f.kind for f in msg.files if f.platform != "generated"],
        "images": [
            {"url": f"/web/files/{f.file_id}", "alt": f.caption or f.file_name}
            for f in msg.files
            if f.platform == "generated" and f.file_id
        ],
        "metadata": dict(msg.metadata),
        "language": reply_language(msg),
    }

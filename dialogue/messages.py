"""Normalized messages that flow between adapters and the dialogue manager."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal


class Platform(StrEnum):
    TELEGRAM = "telegram"
    SLACK = "slack"
    WEB = "web"


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """Identifies one conversation: a Telegram chat, a Slack thread or DM, a web chat sender."""

    platform: Platform
    chat_id: str
    thread_id: str = ""

    def as_str(self) -> str:
        base = f"{self.platform.value}:{self.chat_id}"
        return f"{base}:{self.thread_id}" if self.thread_id else base

    @classmethod
    def parse(cls, value: str) -> ConversationKey:
        parts = value.split(":", 2)
        if len(parts) < 2:
            raise ValueError(f"not a conversation key: {value!r}")
        thread = parts[2] if len(parts) == 3 else ""
        return cls(Platform(parts[0]), parts[1], thread)


@dataclass(frozen=True, slots=True)
class Sender:
    id: str
    display_name: str = ""
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a message carries; `platform` is where `file_id` / `url` can be fetched from."""

    kind: str  # "photo" | "document" | "file"
    file_id: str
    caption: str = ""
    file_name: str = ""
    mime_type: str = ""
    url: str = ""
    size: int = 0  # bytes, when the platform says
    platform: str = ""  # "telegram", "slack", ... or "generated" (made by the bot; see `content`)
    content: bytes = b""  # a generated file's bytes, until the turn is stored (never serialized)


class ChannelKind(StrEnum):
    """Where a message was written; decides which intents may be answered."""

    PRIVATE = "private"  # Telegram DM
    GROUP = "group"
    SALES = "sales"  # a configured Slack sales channel
    DM = "dm"  # a Slack DM from a workspace member
    SUPPORT = "support"  # the Slack support channel
    OTHER = "other"  # any other Slack channel
    WEB = "web"


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    platform: Platform
    conversation: ConversationKey
    sender: Sender
    text: str
    external_id: str
    timestamp: datetime
    dedupe_key: str = ""  # a second platform-level key, e.g. Slack "channel:ts"
    attachments: tuple[Attachment, ...] = ()
    channel_kind: ChannelKind = ChannelKind.PRIVATE
    command: str = ""  # "start", "help", "human" for slash commands
    command_args: str = ""
    callback_data: str = ""  # button payload, e.g. "confirm:yes"
    callback_id: str = ""  # platform id to acknowledge (Telegram callback query id)
    edited: bool = False
    edited_message_id: str = ""
    deleted: bool = False  # the platform says message `edited_message_id` was deleted
    message_id: str = ""
    rich_text: str = ""  # `text` with its formatting, as light Markdown (**bold**, _italic_, [label](url))
    supplier_id: str | None = None  # only set by trusted channels (web chat in demo mode)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Button:
    """A button; with `picks_user`, a control to pick a person, whose id is appended: "<value>:<user>"."""

    label: str
    value: str
    style: str = ""  # "primary" | "danger" | ""
    picks_user: bool = False


@dataclass(frozen=True, slots=True)
class Card:
    """A structured message (a report, an escalation card); each adapter renders it its own way.

    Slack renders Block Kit, Telegram HTML, the web chat JSON. `fields` are label/value pairs shown
    side by side, `sections` paragraphs of plain text, `context` small print at the bottom.
    """

    title: str
    fields: tuple[tuple[str, str], ...] = ()
    sections: tuple[str, ...] = ()
    context: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeskPlacement:
    """Where a desk message about escalation `escalation_id` goes; the sender resolves it when it sends.

    "card": the escalation's card, posted once and edited in place after. "thread": under that card.
    """

    escalation_id: int
    place: Literal["card", "thread"]


@dataclass(frozen=True, slots=True)
class Relay:
    """An agent's message (or edit of one) carried to the supplier for escalation `escalation_id`."""

    escalation_id: int
    agent_id: str
    receipt_for: str = ""  # "<channel>:<ts>" of the agent's desk message, which gets ✅ once delivered


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One thing to deliver to a conversation: a new message, or an operation on an earlier one.

    A plain message posts `text` (plus `card`, `table`, `buttons`, `files`). `edit_of` replaces an
    earlier message of the bot (its platform message id), `delete_of` deletes one, `reaction` adds a
    reaction to `reply_to`. `visible_to` limits a message to one user of a shared channel (a Slack
    ephemeral message). `desk` places a message about an escalation on the desk (its card or the card's
    thread); `relay` marks an agent's message to the supplier. Plain replies have neither.
    """

    conversation: ConversationKey
    text: str
    buttons: tuple[Button, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()  # header row first; adapters may render it richly
    reply_to: str = ""  # platform message id or Slack thread ts
    kind: str = "reply"  # "reply" | "card" | "relay" | "digest" | "handoff" | "receipt" | "error"
    card: Card | None = None
    files: tuple[Attachment, ...] = ()  # files to deliver; fetched from their source platform when sent
    edit_of: str = ""
    delete_of: str = ""
    reaction: str = ""  # an emoji name ("white_check_mark"), added to `reply_to`
    visible_to: str = ""  # a platform user id
    notify: tuple[str, ...] = ()  # people or groups to mention: "user:U123", "group:S123"
    format: str = "plain"  # "plain" | "markdown": light Markdown that adapters render natively
    desk: DeskPlacement | None = None
    relay: Relay | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

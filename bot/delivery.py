"""What the sender does around one delivery: place desk messages, fetch files, and report receipts.

- Desk placement (`OutgoingMessage.desk`): everything about an escalation is queued under one key (so
  it is delivered in order) and placed when sent: the card is posted once and then edited in place, and
  thread messages go under it. A message without `desk` is sent where it is addressed.
- Files: a message's files are fetched from where they are kept (the platform they came from, or the
  generated files for the bot's charts) and uploaded with it; one that cannot be (too large, gone) is
  left out, and the desk is told. The web chat links to generated files instead.
- Receipts (`OutgoingMessage.relay`): an agent's relayed message gets a ✅ on the desk once the
  supplier's platform accepted it, and a threaded reply naming the reason when it failed or is being
  retried.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from adapters.base import FileContent, FileUnavailable
from bot.storage.escalations import SqlEscalations
from bot.storage.generated_files import GENERATED
from bot.storage.outbox import OutboxItem
from dialogue.errors import DeliveryError, DeliveryFailure
from dialogue.handoff.desk_posts import escalation_key
from dialogue.messages import Attachment, ConversationKey, DeskPlacement, OutgoingMessage, Platform

logger = logging.getLogger(__name__)

# What each platform accepts as an upload, in bytes.
UPLOAD_LIMITS: Mapping[str, int] = {"telegram": 50 * 1024 * 1024, "slack": 100 * 1024 * 1024, "web": 0}
RECEIPT_REACTION = "white_check_mark"


class FileSource(Protocol):
    async def fetch_file(self, attachment: Attachment, *, max_bytes: int) -> FileContent: ...


@dataclass(frozen=True, slots=True)
class Prepared:
    message: OutgoingMessage
    files: tuple[FileContent, ...]
    follow_ups: tuple[OutgoingMessage, ...]  # queued with the send's result (file warnings)


def _escalation_of(message: OutgoingMessage) -> int | None:
    """The escalation a desk message or an agent's relayed message is about; None for anything else."""
    if message.desk is not None:
        return message.desk.escalation_id
    return message.relay.escalation_id if message.relay is not None else None


def desk_thread(message: OutgoingMessage, escalation_id: int, text: str) -> OutgoingMessage:
    """A note in the thread of escalation `escalation_id`'s card, on `message`'s desk."""
    return OutgoingMessage(
        escalation_key(message.conversation, escalation_id),
        text,
        kind="desk",
        desk=DeskPlacement(escalation_id, "thread"),
    )


class Delivery:
    def __init__(
        self,
        *,
        escalations: SqlEscalations,
        sources: Mapping[str, FileSource],
        desk: ConversationKey | None,
    ) -> None:
        self._escalations = escalations
        self._sources = sources
        self._desk = desk

    async def prepare(self, message: OutgoingMessage) -> Prepared:
        placed = await self._place(message)
        files, warnings = await self._fetch(placed)
        return Prepared(placed, files, warnings)

    async def _place(self, message: OutgoingMessage) -> OutgoingMessage:
        """A desk message at its place: the card (a new post, or an edit once posted) or its thread."""
        if message.desk is None:
            return message  # a plain reply, an agent's relayed message: sent where it is addressed
        card = await self._escalations.card_of(message.desk.escalation_id)
        channel = ConversationKey(message.conversation.platform, message.conversation.chat_id)
        if message.desk.place == "card":
            return replace(message, conversation=channel, edit_of=card)  # no card yet: post it
        return replace(message, conversation=replace(channel, thread_id=card))

    async def _fetch(
        self, message: OutgoingMessage
    ) -> tuple[tuple[FileContent, ...], tuple[OutgoingMessage, ...]]:
        limit = UPLOAD_LIMITS.get(message.conversation.platform.value, 0)
        files: list[FileContent] = []
        warnings: list[OutgoingMessage] = []
        for attachment in message.files:
            if attachment.platform == GENERATED and message.conversation.platform is Platform.WEB:
                continue  # the page shows it from /web/files/<id>
            source = self._sources.get(attachment.platform)
            try:
                if source is None or not limit:
                    raise FileUnavailable(f"cannot be carried to {message.conversation.platform.value}")
                files.append(await source.fetch_file(attachment, max_bytes=limit))
            except FileUnavailable as exc:
                name = attachment.file_name or attachment.kind
                logger.warning("file %s not relayed: %s", name, exc)
                warnings.extend(self._file_warning(message, f"📎 {name} was not relayed: {exc}"))
        return tuple(files), tuple(warnings)

    def _file_warning(self, message: OutgoingMessage, text: str) -> tuple[OutgoingMessage, ...]:
        escalation_id = _escalation_of(message)
        if escalation_id is None or self._desk is None:
            return ()
        return (desk_thread(OutgoingMessage(self._desk, ""), escalation_id, text),)

    async def after_sent(
        self, item: OutboxItem, sent: OutgoingMessage, platform_message_id: str
    ) -> tuple[OutgoingMessage, ...]:
        """Follow-ups of a delivery: remember a new card, put a ✅ on the agent's relayed message."""
        if sent.desk is not None and sent.desk.place == "card" and not sent.edit_of and platform_message_id:
            await self._escalations.card_posted(
                sent.desk.escalation_id, sent.conversation.chat_id, platform_message_id
            )
        receipt = self._receipt_target(sent)
        if receipt is None:
            return ()
        return (
            OutgoingMessage(
                receipt, "", reply_to=receipt.thread_id, reaction=RECEIPT_REACTION, kind="receipt"
            ),
        )

    def after_failure(
        self, item: OutboxItem, error: DeliveryError, *, final: bool
    ) -> tuple[OutgoingMessage, ...]:
        """A relayed agent message that failed, or is being retried, is reported in the card's thread."""
        relay = item.message.relay
        if relay is None or self._receipt_target(item.message) is None or self._desk is None:
            return ()
        if final:
            text = f"⚠️ Not delivered to the supplier: {explain(error)}."
        elif item.attempts == 0:
            wait = f" in {error.retry_after:.0f} s" if error.retry_after else ""
            text = f"⏳ Not delivered yet ({explain(error)}); retrying{wait}."
        else:
            return ()
        return (desk_thread(OutgoingMessage(self._desk, ""), relay.escalation_id, text),)

    def _receipt_target(self, message: OutgoingMessage) -> ConversationKey | None:
        """The agent's desk message that `message` relays: its channel and ts, for the reaction."""
        if message.relay is None:
            return None
        channel, _, ts = message.relay.receipt_for.partition(":")
        if not (channel and ts) or message.kind != "relay" or message.edit_of or message.delete_of:
            return None
        platform = self._desk.platform if self._desk is not None else Platform.SLACK
        return ConversationKey(platform, channel, ts)


_WORDS: Mapping[DeliveryFailure, str] = {
    DeliveryFailure.BLOCKED: "the supplier blocked the bot",
    DeliveryFailure.RATE_LIMITED: "Telegram's flood limit",
    DeliveryFailure.CHAT_GONE: "the supplier's chat no longer exists",
    DeliveryFailure.MIGRATED: "the supplier's group moved to a new chat",
}


def explain(error: DeliveryError) -> str:
    """A delivery error in words an agent understands (the platform's own reason when no kind fits)."""
    return _WORDS.get(error.kind, error.reason)


def follow_migration(message: OutgoingMessage, error: DeliveryError) -> OutgoingMessage | None:
    """`message` readdressed to the chat a migrated group moved to; None when `error` is no such move."""
    moved_to = error.new_chat_id
    if error.kind is not DeliveryFailure.MIGRATED or not moved_to or moved_to == message.conversation.chat_id:
        return None
    return replace(message, conversation=replace(message.conversation, chat_id=moved_to))

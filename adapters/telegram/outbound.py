"""Core outgoing messages -> Bot API calls, paced, with Bot API errors mapped to delivery errors.

A plain message is one or more sendMessage calls (a long reply is split; buttons go on the last part),
then one sendPhoto / sendDocument per file (a short text rides as the first file's caption). A part
whose HTML Telegram cannot parse is sent once more as plain text rather than failing.
`edit_of` -> editMessageText, `delete_of` -> deleteMessage, `reaction` -> setMessageReaction on
`reply_to`. `visible_to` means nothing in a private chat: the message is sent normally. Errors are
raised as Transient/PermanentDeliveryError with their `DeliveryFailure` kind (and `retry_after`, or the
`new_chat_id` of a migrated group) and never retried here: the outbox owns retrying.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message, ReactionTypeEmoji, ReplyParameters
from telegram.constants import ParseMode, ReactionEmoji
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from adapters.base import FileContent, SendResult
from adapters.pacing import Pacer
from adapters.telegram.client import retry_after_seconds
from adapters.telegram.files import upload_method
from adapters.telegram.html import MAX_CAPTION_LENGTH, Part, keyboard_markup, render_parts
from adapters.text import utf16_len
from dialogue.errors import DeliveryFailure, PermanentDeliveryError, TransientDeliveryError
from dialogue.messages import OutgoingMessage

logger = logging.getLogger(__name__)

# Core reactions are emoji names (Slack style); Telegram accepts only a fixed set of emoji.
REACTION_EMOJI: Mapping[str, str] = MappingProxyType(
    {
        "white_check_mark": ReactionEmoji.OK_HAND_SIGN,
        "heavy_check_mark": ReactionEmoji.OK_HAND_SIGN,
        "ok_hand": ReactionEmoji.OK_HAND_SIGN,
        "thumbsup": ReactionEmoji.THUMBS_UP,
        "+1": ReactionEmoji.THUMBS_UP,
        "thumbsdown": ReactionEmoji.THUMBS_DOWN,
        "-1": ReactionEmoji.THUMBS_DOWN,
        "eyes": ReactionEmoji.EYES,
        "heart": ReactionEmoji.RED_HEART,
        "fire": ReactionEmoji.FIRE,
        "tada": ReactionEmoji.PARTY_POPPER,
        "100": ReactionEmoji.HUNDRED_POINTS_SYMBOL,
        "pray": ReactionEmoji.PERSON_WITH_FOLDED_HANDS,
        "handshake": ReactionEmoji.HANDSHAKE,
        "writing_hand": ReactionEmoji.WRITING_HAND,
    }
)
_ALLOWED_EMOJI = frozenset(e.value for e in ReactionEmoji)
_MAX_REMEMBERED_PARTIALS = 1000
_MAX_CHAT_LOCKS = 10_000


def reaction_emoji(name: str) -> str:
    """The Telegram emoji for a core reaction name (an allowed emoji passes as is; others get 👍)."""
    if name in _ALLOWED_EMOJI:
        return name
    return str(REACTION_EMOJI.get(name.strip(":"), ReactionEmoji.THUMBS_UP))


_TOO_LARGE_MARKS = ("message is too long", "too big", "too large")


def map_send_error(exc: TelegramError) -> TransientDeliveryError | PermanentDeliveryError:
    """Translate a Bot API error into the core's typed delivery error (the outbox decides what to do)."""
    message = str(exc.message)
    if isinstance(exc, RetryAfter):
        return TransientDeliveryError(
            f"rate limited: {message}",
            retry_after=retry_after_seconds(exc),
            kind=DeliveryFailure.RATE_LIMITED,
        )
    if isinstance(exc, Forbidden):
        detail = message.removeprefix("Forbidden: ").strip() or "bot was blocked by the user"
        return PermanentDeliveryError(f"forbidden: {detail}", kind=DeliveryFailure.BLOCKED)
    if isinstance(exc, ChatMigrated):
        return PermanentDeliveryError(
            f"chat migrated to {exc.new_chat_id}",
            kind=DeliveryFailure.MIGRATED,
            new_chat_id=str(exc.new_chat_id),
        )
    if isinstance(exc, BadRequest):
        lowered = message.lower()
        return PermanentDeliveryError(f"bad request: {lowered}", kind=_bad_request_kind(lowered))
    if isinstance(exc, InvalidToken):
        return TransientDeliveryError("telegram rejected the bot token; check TELEGRAM_BOT_TOKEN")
    if isinstance(exc, NetworkError):  # includes TimedOut and HTTP 5xx
        return TransientDeliveryError(f"network: {message}", kind=DeliveryFailure.NETWORK)
    return TransientDeliveryError(f"telegram error: {message}")


def _bad_request_kind(lowered: str) -> DeliveryFailure:
    """A 400 says what it is about only in its description."""
    if "chat not found" in lowered or "chat_id is empty" in lowered:
        return DeliveryFailure.CHAT_GONE
    if any(mark in lowered for mark in _TOO_LARGE_MARKS):
        return DeliveryFailure.TOO_LARGE
    return DeliveryFailure.OTHER


@dataclass(frozen=True, slots=True)
class _Partial:
    """How far a split reply got before a transient error: a retry resumes after step `done`."""

    done: int
    last_id: str


@dataclass(frozen=True, slots=True)
class _Step:
    """One Bot API call of a message: a text part, or a file with an optional caption."""

    part: Part | None = None
    file: FileContent | None = None

    def identity(self) -> str:
        caption = self.part.html if self.part is not None else ""
        if self.file is not None:
            return f"file:{self.file.name}:{len(self.file.data)}:{caption}"
        return caption


@dataclass(frozen=True, slots=True)
class _Common:
    """Where every step of one message goes."""

    chat: int | str
    thread_id: int | None


_PartialKey = tuple[str, str, tuple[str, ...]]


def _chat_target(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def _message_id(value: str, what: str) -> int:
    if not value.isdigit():
        raise PermanentDeliveryError(f"telegram: {what} is not a message id: {value!r}")
    return int(value)


def _cannot_parse(exc: TelegramError) -> bool:
    return isinstance(exc, BadRequest) and "can't parse entities" in str(exc.message).lower()


def _photo_refused(exc: TelegramError) -> bool:
    text = str(exc.message).upper()
    return isinstance(exc, BadRequest) and ("PHOTO_" in text or "IMAGE_PROCESS_FAILED" in text)


def plan_steps(parts: Sequence[Part], files: Sequence[FileContent]) -> list[_Step]:
    """Text parts, then files; a short text rides as the first file's caption instead."""
    if not files:
        return [_Step(part=part) for part in parts]
    for file in files:
        upload_method(file)  # raises before anything is sent when a file is too large
    steps = [_Step(file=file) for file in files]
    if len(parts) == 1 and utf16_len(parts[0].plain) <= MAX_CAPTION_LENGTH:
        steps[0] = _Step(part=parts[0], file=files[0])
        return steps
    return [_Step(part=part) for part in parts] + steps


class TelegramSender:
    """Delivers OutgoingMessages to one bot's chats: in order per chat, paced, errors mapped."""

    def __init__(self, *, bot: Bot, pacer: Pacer) -> None:
        self._bot = bot
        self._pacer = pacer
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._partial: OrderedDict[_PartialKey, _Partial] = OrderedDict()

    def _chat_lock(self, chat_id: str) -> asyncio.Lock:
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            if len(self._chat_locks) > _MAX_CHAT_LOCKS:
                self._chat_locks = {k: v for k, v in self._chat_locks.items() if v.locked()}
            lock = self._chat_locks[chat_id] = asyncio.Lock()
        return lock

    @contextlib.asynccontextmanager
    async def _turn(self, chat_id: str) -> AsyncIterator[None]:
        """One Bot API call on an earlier message: under the chat's lock, paced, errors mapped."""
        async with self._chat_lock(chat_id):
            await self._pacer.acquire(chat_id)
            try:
                yield
            except TelegramError as exc:
                raise map_send_error(exc) from exc
            finally:
                await self._pacer.sent(chat_id)

    async def send(self, message: OutgoingMessage, files: Sequence[FileContent] = ()) -> SendResult:
        """Deliver one message with its files (or edit, delete, react); map Bot API errors, never retry."""
        chat_id = message.conversation.chat_id
        target = _chat_target(chat_id)
        if message.reaction:
            reacted = _message_id(message.reply_to, "reply_to of a reaction")
            emoji = ReactionTypeEmoji(reaction_emoji(message.reaction))
            async with self._turn(chat_id):
                await self._bot.set_message_reaction(chat_id=target, message_id=reacted, reaction=[emoji])
            return SendResult(platform_message_id=message.reply_to)
        if message.delete_of:
            deleted = _message_id(message.delete_of, "delete_of")
            async with self._turn(chat_id):
                await self._bot.delete_message(chat_id=target, message_id=deleted)
            return SendResult(platform_message_id=message.delete_of)
        parts = render_parts(message)
        if not parts and not files:
            raise PermanentDeliveryError("empty message: no text, table or file")
        try:
            markup = keyboard_markup(message.buttons)
        except ValueError as exc:
            raise PermanentDeliveryError(str(exc)) from None
        if message.edit_of:
            return await self._edit(message, parts, markup)
        return await self._send_steps(message, plan_steps(parts, files), markup)

    async def _edit(
        self, message: OutgoingMessage, parts: list[Part], markup: InlineKeyboardMarkup | None
    ) -> SendResult:
        chat_id = message.conversation.chat_id
        edited = _message_id(message.edit_of, "edit_of")
        if len(parts) != 1:
            raise PermanentDeliveryError(f"an edit must fit in one message, not {len(parts)}")
        async with self._turn(chat_id):
            try:
                await self._bot.edit_message_text(
                    chat_id=_chat_target(chat_id),
                    message_id=edited,
                    text=parts[0].html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
            except TelegramError as exc:
                if not _cannot_parse(exc):
                    raise
                self._log_plain_fallback(message, exc)
                await self._bot.edit_message_text(
                    chat_id=_chat_target(chat_id), message_id=edited, text=parts[0].plain, reply_markup=markup
                )
        return SendResult(platform_message_id=message.edit_of)

    async def _send_steps(
        self, message: OutgoingMessage, steps: list[_Step], markup: InlineKeyboardMarkup | None
    ) -> SendResult:
        chat_id = message.conversation.chat_id
        thread = message.conversation.thread_id
        reply = (
            ReplyParameters(int(message.reply_to), allow_sending_without_reply=True)
            if message.reply_to.isdigit()
            else None
        )
        # A long reply that failed part-way resumes where it stopped, so a retry sends no part twice.
        identities = tuple(step.identity() for step in steps) + tuple(b.value for b in message.buttons)
        key = (chat_id, message.reply_to, identities)
        partial = self._partial.pop(key, _Partial(0, ""))
        last_id = partial.last_id
        common = _Common(chat=_chat_target(chat_id), thread_id=int(thread) if thread.isdigit() else None)
        async with self._chat_lock(chat_id):
            for index in range(partial.done, len(steps)):
                await self._pacer.acquire(chat_id)
                last = index == len(steps) - 1
                try:
                    sent = await self._step(
                        message,
                        steps[index],
                        common,
                        markup=markup if last else None,
                        reply=reply if index == 0 else None,
                    )
                except TelegramError as exc:
                    error = map_send_error(exc)
                    if index > 0 and not error.permanent:
                        self._remember_partial(key, _Partial(index, last_id))
                    raise error from exc
                finally:
                    await self._pacer.sent(chat_id)
                last_id = str(sent.message_id)
        return SendResult(platform_message_id=last_id)

    async def _step(
        self,
        message: OutgoingMessage,
        step: _Step,
        common: _Common,
        *,
        markup: InlineKeyboardMarkup | None,
        reply: ReplyParameters | None,
    ) -> Message:
        """Send one step; when Telegram cannot parse its HTML, send it once more as plain text."""
        try:
            return await self._call(step, common, markup=markup, reply=reply, plain=False)
        except TelegramError as exc:
            if not _cannot_parse(exc):
                raise
            self._log_plain_fallback(message, exc)
            return await self._call(step, common, markup=markup, reply=reply, plain=True)

    async def _call(
        self,
        step: _Step,
        common: _Common,
        *,
        markup: InlineKeyboardMarkup | None,
        reply: ReplyParameters | None,
        plain: bool,
    ) -> Message:
        text = "" if step.part is None else step.part.plain if plain else step.part.html
        mode = None if plain or step.part is None else ParseMode.HTML
        options: dict[str, Any] = {
            "chat_id": common.chat,
            "reply_markup": markup,
            "reply_parameters": reply,
            "message_thread_id": common.thread_id,
        }
        if step.file is None:
            return await self._bot.send_message(text=text, parse_mode=mode, **options)
        upload = InputFile(step.file.data, filename=step.file.name)
        caption: dict[str, Any] = {"caption": text or None, "parse_mode": mode if text else None}
        if upload_method(step.file) == "photo":
            try:
                return await self._bot.send_photo(photo=upload, **caption, **options)
            except TelegramError as exc:
                if not _photo_refused(exc):
                    raise
                upload = InputFile(step.file.data, filename=step.file.name)  # refused as a photo
        return await self._bot.send_document(document=upload, **caption, **options)

    @staticmethod
    def _log_plain_fallback(message: OutgoingMessage, exc: TelegramError) -> None:
        logger.warning(
            "telegram: %s; sending that part as plain text",
            exc.message,
            extra={"conversation": message.conversation.as_str()},
        )

    def _remember_partial(self, key: _PartialKey, partial: _Partial) -> None:
        self._partial[key] = partial
        while len(self._partial) > _MAX_REMEMBERED_PARTIALS:
            self._partial.popitem(last=False)

"""Bot API updates -> core messages: pure translation, no I/O."""

from __future__ import annotations

import datetime as dtm
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from telegram import Bot, CallbackQuery, Message, Update, User

from adapters.guard import BadBody, decode_json
from dialogue.errors import OpsbotError
from dialogue.messages import (
    Attachment,
    ChannelKind,
    ConversationKey,
    IncomingMessage,
    Platform,
    Sender,
)

# The update types translate_update understands; asked for by polling and by setWebhook.
ALLOWED_UPDATES: tuple[str, ...] = ("message", "edited_message", "callback_query")


class MalformedUpdate(OpsbotError):
    """The request body is not a Telegram update."""


@dataclass(frozen=True, slots=True)
class Translation:
    """What one update means for the bot."""

    update_id: int
    message: IncomingMessage | None  # None: nothing to store
    is_edit: bool = False  # an edited_message: try apply_edit before storing
    callback_query_id: str = ""  # always answered, even when the message is ignored or a duplicate
    ignored_reason: str = ""
    unsupported_kind: str = ""  # an update kind the bot does not handle (channel_post, inline_query, ...)


def _utc(value: dtm.datetime | None, fallback: dtm.datetime) -> dtm.datetime:
    if value is None:
        return fallback
    return value if value.tzinfo else value.replace(tzinfo=dtm.UTC)


def _text(value: object) -> str:
    """A field that should be a string (PTB does not check types): itself, or "" when it is not one."""
    return value if isinstance(value, str) else ""


def _sender(user: User) -> Sender:
    name = " ".join(part for part in (_text(user.first_name), _text(user.last_name)) if part)
    return Sender(id=str(user.id), display_name=name, is_bot=user.is_bot is True)


def _channel_kind(chat_type: str, allow_groups: bool) -> ChannelKind | None:
    if chat_type == "private":
        return ChannelKind.PRIVATE
    if chat_type in ("group", "supergroup") and allow_groups:
        return ChannelKind.GROUP
    return None


def parse_command(text: str, bot_username: str) -> tuple[str, str]:
    """("start", "CODE") for "/start CODE" or "/start@our_bot CODE"; ("", "") when not a command for us."""
    if not text.startswith("/"):
        return "", ""
    head, _, args = text[1:].partition(" ")
    name, _, addressee = head.partition("@")
    if not name or (addressee and addressee.lower() != bot_username.lower().lstrip("@")):
        return "", ""
    return name.lower(), args.strip()


# Message content that is not text, in the order it is looked for, and the attachment kind it becomes.
# Files keep their file id (fetchable with getFile); the rest (a location, a poll) carry only the kind,
# so the core can say what it can take. A venue also has a location, an animation also a document.
_CONTENT_KINDS: tuple[tuple[str, str], ...] = (
    ("photo", "photo"),
    ("animation", "animation"),
    ("document", "document"),
    ("video", "video"),
    ("video_note", "video_note"),
    ("voice", "voice"),
    ("audio", "audio"),
    ("sticker", "sticker"),
    ("venue", "venue"),
    ("location", "location"),
    ("contact", "contact"),
    ("dice", "dice"),
    ("poll", "poll"),
    ("game", "game"),
    ("story", "story"),
    ("invoice", "invoice"),
    ("paid_media", "paid_media"),
    ("live_photo", "live_photo"),
    ("passport_data", "passport_data"),
    ("giveaway", "giveaway"),
    ("giveaway_winners", "giveaway"),
    ("checklist", "checklist"),
)


def _file_attachment(kind: str, media: Any, caption: str) -> Attachment:
    return Attachment(
        kind=kind,
        file_id=_text(getattr(media, "file_id", "")),
        caption=caption,
        file_name=_text(getattr(media, "file_name", None)),
        mime_type=_text(getattr(media, "mime_type", None)) or ("image/jpeg" if kind == "photo" else ""),
        size=size if isinstance(size := getattr(media, "file_size", 0), int) and size > 0 else 0,
        platform=Platform.TELEGRAM.value,
    )


def _attachments(message: Message) -> tuple[Attachment, ...]:
    """What the message carries besides text: a file, or a named kind of content (a sticker, a poll)."""
    caption = _text(message.caption)
    for field_name, kind in _CONTENT_KINDS:
        content = getattr(message, field_name, None)
        if not content:
            continue
        if isinstance(content, tuple | list):  # photo sizes, smallest first
            content = content[-1]
        return (_file_attachment(kind, content, caption),)
    if not _text(message.text) and message.api_kwargs:  # content newer than this library: name it
        unknown = next(iter(message.api_kwargs))
        return (Attachment(kind=str(unknown), file_id="", caption=caption, platform=Platform.TELEGRAM.value),)
    return ()


def _from_message(
    update_id: int,
    message: Message,
    *,
    edited: bool,
    allow_groups: bool,
    bot_username: str,
    now: dtm.datetime,
    raw: Mapping[str, Any],
) -> Translation:
    if message.chat is None:
        raise MalformedUpdate(f"update {update_id}: a message without a chat")
    kind = _channel_kind(message.chat.type, allow_groups)
    if kind is None:
        return Translation(update_id, None, ignored_reason=f"chat type {message.chat.type}")
    if message.from_user is None:
        return Translation(update_id, None, ignored_reason="no sender")
    attachments = _attachments(message)
    text = _text(message.text) or _text(message.caption)
    if not text.strip() and not attachments:
        return Translation(update_id, None, ignored_reason="no text or file")
    command, command_args = ("", "") if edited else parse_command(text, bot_username)
    when = _utc(message.edit_date if edited else message.date, now)
    incoming = IncomingMessage(
        platform=Platform.TELEGRAM,
        conversation=ConversationKey(Platform.TELEGRAM, str(message.chat.id)),
        sender=_sender(message.from_user),
        text=text,
        external_id=str(update_id),
        timestamp=when,
        attachments=attachments,
        channel_kind=kind,
        command=command,
        command_args=command_args,
        edited=edited,
        edited_message_id=str(message.message_id) if edited else "",
        message_id=str(message.message_id),
        raw=raw,
    )
    return Translation(update_id, incoming, is_edit=edited)


def _from_callback(
    update_id: int, query: CallbackQuery, *, allow_groups: bool, now: dtm.datetime, raw: Mapping[str, Any]
) -> Translation:
    if query.message is None:  # a button of an inline-mode message: the bot sends none
        return Translation(
            update_id,
            None,
            callback_query_id=query.id,
            ignored_reason="callback from an inline message",
            unsupported_kind="callback_query of an inline message",
        )
    chat = query.message.chat
    kind = _channel_kind(chat.type, allow_groups)
    if kind is None:
        return Translation(
            update_id, None, callback_query_id=query.id, ignored_reason=f"chat type {chat.type}"
        )
    if not _text(query.data):
        return Translation(update_id, None, callback_query_id=query.id, ignored_reason="no callback data")
    incoming = IncomingMessage(
        platform=Platform.TELEGRAM,
        conversation=ConversationKey(Platform.TELEGRAM, str(chat.id)),
        sender=_sender(query.from_user),
        text="",
        external_id=str(update_id),
        timestamp=now,
        channel_kind=kind,
        callback_data=_text(query.data),
        callback_id=query.id,
        message_id=str(query.message.message_id),
        raw=raw,
    )
    return Translation(update_id, incoming, callback_query_id=query.id)


def translate_update(
    update: Update,
    *,
    allow_groups: bool,
    bot_username: str,
    now: dtm.datetime,
    raw: Mapping[str, Any] | None = None,
) -> Translation:
    """Map one Telegram update to the core message it carries (or to a reason for ignoring it).

    PTB does not check the types inside an update; one whose fields are of the wrong kind (a `chat`
    that is null, a `date` that is text) raises MalformedUpdate, never anything else.
    """
    try:
        return _translate(update, allow_groups=allow_groups, bot_username=bot_username, now=now, raw=raw)
    except (AttributeError, TypeError, ValueError, OverflowError, KeyError) as exc:
        raise MalformedUpdate(f"update {update.update_id}: {type(exc).__name__}: {str(exc)[:200]}") from None


def _translate(
    update: Update,
    *,
    allow_groups: bool,
    bot_username: str,
    now: dtm.datetime,
    raw: Mapping[str, Any] | None,
) -> Translation:
    payload: Mapping[str, Any] = raw if raw is not None else update.to_dict()
    message = update.message or update.edited_message
    if message is not None:
        return _from_message(
            update.update_id,
            message,
            edited=update.message is None,
            allow_groups=allow_groups,
            bot_username=bot_username,
            now=now,
            raw=payload,
        )
    if update.callback_query is not None:
        return _from_callback(
            update.update_id, update.callback_query, allow_groups=allow_groups, now=now, raw=payload
        )
    kind = next((key for key in payload if key != "update_id"), "empty update")
    return Translation(
        update.update_id, None, ignored_reason="unsupported update type", unsupported_kind=str(kind)
    )


def parse_update_json(body: bytes, bot: Bot | None) -> tuple[Update, dict[str, Any]]:
    """Decode a webhook body into an Update and its raw JSON; MalformedUpdate when it is not one."""
    try:
        data = decode_json(body)
    except BadBody as exc:
        raise MalformedUpdate(f"body is {exc.reason}") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("update_id"), int)
        or isinstance(data.get("update_id"), bool)
    ):
        raise MalformedUpdate("body is not a Telegram update (no integer update_id)")
    try:
        with warnings.catch_warnings():  # a deprecated field is still an update
            warnings.simplefilter("ignore")
            update = Update.de_json(data, bot)
    except Exception as exc:  # PTB raises KeyError/TypeError/ValueError/OverflowError on broken objects
        raise MalformedUpdate(
            f"update {data['update_id']} does not parse: {type(exc).__name__}: {str(exc)[:200]}"
        ) from None
    return update, data

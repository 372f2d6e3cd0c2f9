"""Telegram adapter: Bot API updates <-> core messages, over a webhook or long polling.

Receive: the update is translated by `translate_update` (pure), written to the inbox with `ingest`
and only then acknowledged (HTTP 200, or the getUpdates offset is advanced past it).
Send: HTML with escaping, long replies split, buttons as an inline keyboard, paced per chat and
globally; Bot API errors are mapped to Transient/PermanentDeliveryError and never retried here.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hmac
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from adapters.base import Ingest, IngestResult, SendResult
from adapters.telegram_format import SendLimiter, inline_keyboard, render_html_parts
from dialogue.errors import OpsbotError, PermanentDeliveryError, TransientDeliveryError
from dialogue.messages import (
    Attachment,
    ChannelKind,
    ConversationKey,
    IncomingMessage,
    OutgoingMessage,
    Platform,
    Sender,
)


class TelegramSettings(Protocol):
    """The `telegram:` settings the adapter reads (bot.config.TelegramSettings satisfies it)."""

    @property
    def api_base_url(self) -> str: ...
    @property
    def file_base_url(self) -> str: ...
    @property
    def bot_username(self) -> str: ...
    @property
    def allow_groups(self) -> bool: ...
    @property
    def per_chat_interval_seconds(self) -> float: ...
    @property
    def global_rate_per_second(self) -> float: ...
    @property
    def poll_timeout_seconds(self) -> int: ...


logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES: tuple[str, ...] = ("message", "edited_message", "callback_query")

# apply_edit(message_id, conversation_key_str, new_text) -> True when a pending message was updated.
ApplyEdit = Callable[[str, str, str], Awaitable[bool]]
WallClock = Callable[[], dtm.datetime]


class TelegramSetupError(OpsbotError):
    """The Telegram adapter is configured inconsistently (missing token or webhook secret, bad mode)."""


class MalformedUpdate(OpsbotError):
    """The request body is not a Telegram update."""


# --- inbound translation (pure) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Translation:
    """What one update means for the bot."""

    update_id: int
    message: IncomingMessage | None  # None: nothing to store
    is_edit: bool = False  # an edited_message: try apply_edit before storing
    callback_query_id: str = ""  # always answered, even when the message is ignored or a duplicate
    ignored_reason: str = ""


def _utc(value: dtm.datetime | None, fallback: dtm.datetime) -> dtm.datetime:
    if value is None:
        return fallback
    return value if value.tzinfo else value.replace(tzinfo=dtm.UTC)


def _sender(user: User) -> Sender:
    return Sender(id=str(user.id), display_name=user.full_name, is_bot=user.is_bot)


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


def _attachments(message: Message) -> tuple[Attachment, ...]:
    caption = message.caption or ""
    if message.photo:
        largest = message.photo[-1]
        return (Attachment(kind="photo", file_id=largest.file_id, caption=caption, mime_type="image/jpeg"),)
    if message.document:
        doc = message.document
        return (
            Attachment(
                kind="document",
                file_id=doc.file_id,
                caption=caption,
                file_name=doc.file_name or "",
                mime_type=doc.mime_type or "",
            ),
        )
    for media in (message.video, message.audio, message.voice, message.animation):
        if media is not None:
            return (
                Attachment(
                    kind="file",
                    file_id=media.file_id,
                    caption=caption,
                    file_name=getattr(media, "file_name", None) or "",
                    mime_type=media.mime_type or "",
                ),
            )
    if message.video_note is not None:
        return (Attachment(kind="file", file_id=message.video_note.file_id, caption=caption),)
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
    kind = _channel_kind(message.chat.type, allow_groups)
    if kind is None:
        return Translation(update_id, None, ignored_reason=f"chat type {message.chat.type}")
    if message.from_user is None:
        return Translation(update_id, None, ignored_reason="no sender")
    attachments = _attachments(message)
    text = message.text if message.text is not None else (message.caption or "")
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
    chat = query.message.chat if query.message is not None else None
    chat_type = chat.type if chat is not None else "private"
    chat_id = chat.id if chat is not None else query.from_user.id
    kind = _channel_kind(chat_type, allow_groups)
    if kind is None:
        return Translation(
            update_id, None, callback_query_id=query.id, ignored_reason=f"chat type {chat_type}"
        )
    if not query.data:
        return Translation(update_id, None, callback_query_id=query.id, ignored_reason="no callback data")
    incoming = IncomingMessage(
        platform=Platform.TELEGRAM,
        conversation=ConversationKey(Platform.TELEGRAM, str(chat_id)),
        sender=_sender(query.from_user),
        text="",
        external_id=str(update_id),
        timestamp=now,
        channel_kind=kind,
        callback_data=query.data,
        callback_id=query.id,
        message_id=str(query.message.message_id) if query.message is not None else "",
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
    """Map one Telegram update to the core message it carries (or to a reason for ignoring it)."""
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
    return Translation(update.update_id, None, ignored_reason="unsupported update type")


def parse_update_json(body: bytes, bot: Bot | None) -> tuple[Update, dict[str, Any]]:
    """Decode a webhook body into an Update and its raw JSON; MalformedUpdate when it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedUpdate(f"body is not JSON: {exc}") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("update_id"), int)
        or isinstance(data.get("update_id"), bool)
    ):
        raise MalformedUpdate("body is not a Telegram update (no integer update_id)")
    try:
        update = Update.de_json(data, bot)
    except Exception as exc:  # PTB raises KeyError/TypeError/ValueError on broken nested objects
        raise MalformedUpdate(
            f"update {data['update_id']} does not parse: {type(exc).__name__}: {exc}"
        ) from None
    return update, data


# --- outbound error mapping --------------------------------------------------------------------


def _seconds(value: int | float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def map_send_error(exc: TelegramError) -> TransientDeliveryError | PermanentDeliveryError:
    """Translate a Bot API error into the core's delivery error (the outbox decides what to do)."""
    message = str(exc.message)
    if isinstance(exc, RetryAfter):
        return TransientDeliveryError(f"rate limited: {message}", retry_after=_seconds(exc.retry_after))
    if isinstance(exc, Forbidden):
        detail = message.removeprefix("Forbidden: ").strip() or "bot was blocked by the user"
        return PermanentDeliveryError(f"forbidden: {detail}")
    if isinstance(exc, ChatMigrated):
        return PermanentDeliveryError(f"chat migrated to {exc.new_chat_id}")
    if isinstance(exc, BadRequest):
        return PermanentDeliveryError(f"bad request: {message.lower()}")
    if isinstance(exc, InvalidToken):
        return TransientDeliveryError("telegram rejected the bot token; check TELEGRAM_BOT_TOKEN")
    if isinstance(exc, NetworkError):  # includes TimedOut and HTTP 5xx
        return TransientDeliveryError(f"network: {message}")
    return TransientDeliveryError(f"telegram error: {message}")


# --- the adapter -------------------------------------------------------------------------------


def make_bot(settings: TelegramSettings, token: str, *, pool_size: int = 64) -> Bot:
    """A PTB Bot pointed at settings.api_base_url / file_base_url (a fake or local Bot API in tests)."""
    return Bot(
        token=token,
        base_url=settings.api_base_url,
        base_file_url=settings.file_base_url,
        request=HTTPXRequest(connection_pool_size=pool_size, pool_timeout=10.0),
        get_updates_request=HTTPXRequest(connection_pool_size=2),
    )


class TelegramAdapter:
    """Webhook or long-polling receiver plus paced sender for one Telegram bot."""

    platform = Platform.TELEGRAM

    def __init__(
        self,
        *,
        settings: TelegramSettings,
        token: str,
        webhook_secret: str,
        ingest: Ingest,
        apply_edit: ApplyEdit,
        mode: str,
        limiter: SendLimiter | None = None,
        clock: WallClock | None = None,
        bot: Bot | None = None,
        poll_retry_seconds: float = 2.0,
        drain_timeout_seconds: float = 10.0,
    ) -> None:
        if mode not in ("webhook", "polling"):
            raise TelegramSetupError(f"telegram.mode: expected 'webhook' or 'polling', got {mode!r}")
        if not token:
            raise TelegramSetupError("TELEGRAM_BOT_TOKEN is not set")
        if mode == "webhook" and not webhook_secret:
            raise TelegramSetupError("TELEGRAM_WEBHOOK_SECRET must be set in webhook mode")
        self._settings = settings
        self._secret = webhook_secret.encode("utf-8")
        self._ingest = ingest
        self._apply_edit = apply_edit
        self.mode = mode
        self._bot = bot or make_bot(settings, token)
        self._limiter = limiter or SendLimiter(
            per_chat_interval=settings.per_chat_interval_seconds, global_rate=settings.global_rate_per_second
        )
        self._clock: WallClock = clock or (lambda: dtm.datetime.now(dtm.UTC))
        self._poll_retry = poll_retry_seconds
        self._drain_timeout = drain_timeout_seconds
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._partial: OrderedDict[tuple[str, str, tuple[str, ...]], tuple[int, str]] = OrderedDict()
        self._background: set[asyncio.Task[None]] = set()
        self._poll_task: asyncio.Task[None] | None = None
        self._polling_request = False
        self._stopping = asyncio.Event()
        self._offset: int | None = None
        self._started = False

    @property
    def bot(self) -> Bot:
        return self._bot

    # --- lifecycle ---------------------------------------------------------------------------

    def routes(self) -> Sequence[BaseRoute]:
        if self.mode != "webhook":
            return []
        return [Route(WEBHOOK_PATH, self._webhook, methods=["POST"], name="telegram_webhook")]

    async def start(self) -> None:
        """Initialize the Bot (getMe) and, in polling mode, start the getUpdates loop; idempotent."""
        if self._started:
            return
        self._started = True
        self._stopping = asyncio.Event()
        try:
            await self._bot.initialize()
        except InvalidToken:  # PTB's message contains the token: never let it reach a log
            self._started = False
            raise TelegramSetupError("TELEGRAM_BOT_TOKEN was rejected by the Telegram Bot API") from None
        except TelegramError as exc:
            logger.warning("telegram: getMe failed at start (%s); continuing, sends will retry", exc)
        if self.mode == "polling":
            try:  # getUpdates is refused while a webhook is set; pending updates are kept
                await self._bot.delete_webhook(drop_pending_updates=False)
            except TelegramError as exc:
                logger.warning("telegram: deleteWebhook failed at start (%s); polling will retry", exc)
            self._poll_task = asyncio.create_task(self._poll_loop(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop polling (the update being stored is finished), answer pending callbacks; idempotent."""
        if not self._started:
            return
        self._started = False
        self._stopping.set()
        task, self._poll_task = self._poll_task, None
        if task is not None:
            if self._polling_request:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError, Exception):
                await asyncio.wait_for(asyncio.shield(task), timeout=self._drain_timeout)
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await self._confirm_offset()
        if self._background:
            await asyncio.wait(set(self._background), timeout=self._drain_timeout)
        with contextlib.suppress(Exception):
            await self._bot.shutdown()

    # --- receiving -----------------------------------------------------------------------------

    async def _webhook(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, self._secret):
            logger.warning(
                "telegram webhook: missing or wrong secret token from %s",
                request.client.host if request.client else "?",
            )
            return Response("forbidden", status_code=403)
        body = await request.body()
        try:
            update, raw = parse_update_json(body, self._bot)
        except MalformedUpdate as exc:
            logger.warning("telegram webhook: malformed update (%d bytes): %s", len(body), exc)
            return Response("malformed update", status_code=400)
        try:
            await self.handle_update(update, raw)
        except MalformedUpdate as exc:
            logger.warning("telegram webhook: update %s not usable: %s", update.update_id, exc)
            return Response("malformed update", status_code=400)
        except Exception:
            # Not stored: ask Telegram to redeliver instead of acknowledging.
            logger.exception("telegram webhook: update %s could not be stored", update.update_id)
            return Response("temporarily unavailable", status_code=503)
        return Response(status_code=200)

    def _translate(self, update: Update, raw: Mapping[str, Any] | None) -> Translation:
        username = self._settings.bot_username
        with contextlib.suppress(RuntimeError):
            username = self._bot.username or username
        try:
            return translate_update(
                update,
                allow_groups=self._settings.allow_groups,
                bot_username=username,
                now=self._clock(),
                raw=raw,
            )
        except Exception as exc:
            raise MalformedUpdate(f"{type(exc).__name__}: {exc}") from exc

    async def handle_update(
        self, update: Update, raw: Mapping[str, Any] | None = None
    ) -> IngestResult | None:
        """Store one update in the inbox (or apply an edit); then schedule its callback answer."""
        translation = self._translate(update, raw)
        result: IngestResult | None = None
        message = translation.message
        if message is None:
            logger.debug(
                "telegram: update %s ignored (%s)", translation.update_id, translation.ignored_reason
            )
        elif translation.is_edit and await self._apply_edit(
            message.edited_message_id, message.conversation.as_str(), message.text
        ):
            logger.debug(
                "telegram: update %s edited a pending message",
                translation.update_id,
                extra={"conversation": message.conversation.as_str()},
            )
        else:
            result = await self._ingest(message)
            if result.duplicate:
                logger.info(
                    "telegram: update %s is a duplicate",
                    translation.update_id,
                    extra={"conversation": message.conversation.as_str()},
                )
        if translation.callback_query_id:
            self._spawn(self._answer_callback(translation.callback_query_id))
        return result

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _answer_callback(self, query_id: str) -> None:
        try:
            await self._bot.answer_callback_query(query_id)
        except TelegramError as exc:  # an old query, a network blip: the spinner just times out
            logger.info("telegram: answerCallbackQuery %s failed: %s", query_id, exc)

    async def _poll_loop(self) -> None:
        delay = self._poll_retry
        while not self._stopping.is_set():
            try:
                self._polling_request = True
                updates = await self._bot.get_updates(
                    offset=self._offset,
                    timeout=self._settings.poll_timeout_seconds,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
            except RetryAfter as exc:
                await self._pause(_seconds(exc.retry_after))
                continue
            except InvalidToken:
                logger.error("telegram polling: the bot token was rejected; polling stopped")
                return
            except Conflict as exc:
                logger.warning("telegram polling: %s (is a webhook set or another poller running?)", exc)
                await self._pause(delay)
                delay = min(delay * 2, 60.0)
                continue
            except TelegramError as exc:
                logger.warning("telegram polling: getUpdates failed: %s", exc)
                await self._pause(delay)
                delay = min(delay * 2, 60.0)
                continue
            finally:
                self._polling_request = False
            delay = self._poll_retry
            for update in updates:
                if self._stopping.is_set() or not await self._store_polled(update):
                    return
                self._offset = update.update_id + 1

    async def _store_polled(self, update: Update) -> bool:
        """Store one polled update, retrying until it is stored; False when stopping first."""
        delay = self._poll_retry
        while True:
            try:
                await self.handle_update(update, update.to_dict())
                return True
            except MalformedUpdate as exc:
                logger.warning("telegram polling: update %s skipped: %s", update.update_id, exc)
                return True
            except Exception:
                logger.exception(
                    "telegram polling: update %s could not be stored; retrying", update.update_id
                )
            if self._stopping.is_set():
                return False
            await self._pause(delay)
            delay = min(delay * 2, 60.0)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=max(0.0, seconds))

    async def _confirm_offset(self) -> None:
        """Tell Telegram the stored updates are done, so a restart does not fetch them again."""
        if self._offset is None:
            return
        with contextlib.suppress(Exception):
            await self._bot.get_updates(offset=self._offset, timeout=0, allowed_updates=list(ALLOWED_UPDATES))

    # --- sending -----------------------------------------------------------------------------

    def _chat_lock(self, chat_id: str) -> asyncio.Lock:
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            if len(self._chat_locks) > 10_000:
                self._chat_locks = {k: v for k, v in self._chat_locks.items() if v.locked()}
            lock = self._chat_locks[chat_id] = asyncio.Lock()
        return lock

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Send one reply (several sendMessage calls when it is long); map Bot API errors, never retry."""
        chat_id = message.conversation.chat_id
        parts = render_html_parts(message)
        if not parts:
            raise PermanentDeliveryError("empty message: no text and no table")
        try:
            keyboard = inline_keyboard(message.buttons) if message.buttons else []
        except ValueError as exc:
            raise PermanentDeliveryError(str(exc)) from None
        markup = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
                    for row in keyboard
                ]
            )
            if keyboard
            else None
        )
        target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        thread = message.conversation.thread_id
        thread_id = int(thread) if thread.isdigit() else None
        reply = (
            ReplyParameters(int(message.reply_to), allow_sending_without_reply=True)
            if (message.reply_to.isdigit())
            else None
        )
        # A long reply that failed part-way resumes where it stopped, so a retry sends no part twice.
        key = (chat_id, message.reply_to, tuple(parts) + tuple(b.value for b in message.buttons))
        done, last_id = self._partial.pop(key, (0, ""))
        async with self._chat_lock(chat_id):
            for index in range(done, len(parts)):
                await self._limiter.acquire(chat_id)
                try:
                    sent = await self._bot.send_message(
                        chat_id=target,
                        text=parts[index],
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup if index == len(parts) - 1 else None,
                        reply_parameters=reply if index == 0 else None,
                        message_thread_id=thread_id,
                    )
                except TelegramError as exc:
                    error = map_send_error(exc)
                    if index > 0 and not error.permanent:
                        self._remember_partial(key, index, last_id)
                    raise error from exc
                last_id = str(sent.message_id)
        return SendResult(platform_message_id=last_id)

    def _remember_partial(self, key: tuple[str, str, tuple[str, ...]], done: int, last_id: str) -> None:
        self._partial[key] = (done, last_id)
        while len(self._partial) > 1000:
            self._partial.popitem(last=False)


# --- set-up helpers (used by `opsbot telegram set-webhook`) -----------------------------------


@contextlib.asynccontextmanager
async def _setup_bot(settings: TelegramSettings, token: str) -> AsyncIterator[Bot]:
    bot = make_bot(settings, token, pool_size=2)
    try:
        await bot.initialize()
    except InvalidToken:  # PTB's message contains the token
        await bot.shutdown()
        raise TelegramSetupError("TELEGRAM_BOT_TOKEN was rejected by the Telegram Bot API") from None
    try:
        yield bot
    finally:
        await bot.shutdown()


async def register_webhook(settings: TelegramSettings, token: str, secret: str, url: str) -> dict[str, Any]:
    """setWebhook with the secret token and the update types the adapter handles; return getWebhookInfo."""
    if not token:
        raise TelegramSetupError("TELEGRAM_BOT_TOKEN is not set")
    if not secret:
        raise TelegramSetupError("TELEGRAM_WEBHOOK_SECRET is not set")
    async with _setup_bot(settings, token) as bot:
        await bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES), drop_pending_updates=False
        )
        info = await bot.get_webhook_info()
    return {
        "url": info.url,
        "pending_update_count": info.pending_update_count,
        "allowed_updates": list(info.allowed_updates or ()),
    }


async def unregister_webhook(settings: TelegramSettings, token: str) -> None:
    """deleteWebhook, keeping pending updates (so polling picks them up)."""
    if not token:
        raise TelegramSetupError("TELEGRAM_BOT_TOKEN is not set")
    async with _setup_bot(settings, token) as bot:
        await bot.delete_webhook(drop_pending_updates=False)

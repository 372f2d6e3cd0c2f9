"""The Telegram adapter: a webhook route or long polling in, a paced sender out.

Receive: the update is translated by `translate_update` (pure), written to the inbox with `ingest`
and only then acknowledged (HTTP 200, or the getUpdates offset is advanced past it). An update that
cannot be parsed, or is of a kind the bot does not handle, is acknowledged too (Telegram would
redeliver it forever otherwise), handed to `reject` and logged once (warnings are rate-limited).
Send: see `TelegramSender`; Bot API errors become Transient/PermanentDeliveryError, never retried here.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hmac
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from adapters.base import FileContent, Ingest, IngestResult, Reject, RejectedUpdate, SendResult
from adapters.guard import kept_body
from adapters.pacing import Pacer, Rate, Sleep
from adapters.telegram.client import TelegramSetupError, make_bot, rejected_token
from adapters.telegram.files import fetch_file
from adapters.telegram.inbound import MalformedUpdate, Translation, parse_update_json, translate_update
from adapters.telegram.outbound import TelegramSender
from adapters.telegram.polling import Poller
from adapters.telegram.settings import TelegramSettings
from adapters.throttled_log import ThrottledLog
from dialogue.messages import Attachment, OutgoingMessage, Platform

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# apply_edit(message_id, conversation_key_str, new_text) -> True when a pending message was updated.
ApplyEdit = Callable[[str, str, str], Awaitable[bool]]
WallClock = Callable[[], dtm.datetime]

# Telegram counts messages as they arrive; the pacer counts them as they leave. Sends leave in bursts
# (a moving window lets a full second's worth go at once) and the network and the event loop spread
# them by tens of milliseconds, so two bursts a second apart can arrive closer together. Leaving a
# fifth of the overall rate unused keeps arrivals under the configured figure (tests/test_scale_out.py:
# with a tenth, two workers sharing the window were seen to land 31 in one second against 27 allowed).
OVERALL_HEADROOM = 0.8


def telegram_pacer(
    settings: TelegramSettings,
    *,
    storage_uri: str = "memory://",
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.time,
) -> Pacer:
    """One message per chat per `per_chat_interval_seconds`, and overall 80% of
    `global_rate_per_second` (see OVERALL_HEADROOM; at least one a second)."""
    overall = max(1, math.floor(settings.global_rate_per_second * OVERALL_HEADROOM))
    return Pacer(
        per_key=Rate.one_every(settings.per_chat_interval_seconds),
        overall=Rate.per_second(min(overall, settings.global_rate_per_second)),
        namespace="telegram",
        storage_uri=storage_uri,
        sleep=sleep,
        clock=clock,
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
        clock: WallClock | None = None,
        sleep: Sleep = asyncio.sleep,
        pacer: Pacer | None = None,
        bot: Bot | None = None,
        poll_retry_seconds: float = 2.0,
        drain_timeout_seconds: float = 10.0,
        reject: Reject | None = None,
        warning_log: ThrottledLog | None = None,
    ) -> None:
        if mode not in ("webhook", "polling"):
            raise TelegramSetupError(f"telegram.mode: expected 'webhook' or 'polling', got {mode!r}")
        if not token:
            raise TelegramSetupError("TELEGRAM_BOT_TOKEN is not set")
        if mode == "webhook" and not webhook_secret:
            raise TelegramSetupError("TELEGRAM_WEBHOOK_SECRET must be set in webhook mode")
        self._settings = settings
        self._token = token
        self._secret = webhook_secret.encode("utf-8")
        self._ingest = ingest
        self._reject = reject
        self._warnings = warning_log or ThrottledLog(logger)
        self._apply_edit = apply_edit
        self.mode = mode
        self._bot = bot or make_bot(settings, token)
        self._sender = TelegramSender(bot=self._bot, pacer=pacer or telegram_pacer(settings, sleep=sleep))
        self._clock: WallClock = clock or (lambda: dtm.datetime.now(dtm.UTC))
        self._drain_timeout = drain_timeout_seconds
        self._poller = (
            Poller(
                bot=self._bot,
                store=self.handle_update,
                timeout_seconds=settings.poll_timeout_seconds,
                retry_seconds=poll_retry_seconds,
                drain_timeout_seconds=drain_timeout_seconds,
            )
            if mode == "polling"
            else None
        )
        self._background: set[asyncio.Task[None]] = set()
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
        try:
            await self._bot.initialize()
        except InvalidToken:  # PTB's message contains the token: never let it reach a log
            self._started = False
            with contextlib.suppress(Exception):
                await self._bot.shutdown()
            raise rejected_token() from None
        except TelegramError as exc:
            logger.warning("telegram: getMe failed at start (%s); continuing, sends will retry", exc)
        if self._poller is not None:
            await self._poller.start()

    async def stop(self) -> None:
        """Stop polling (the update being stored is finished), answer pending callbacks; idempotent."""
        if not self._started:
            return
        self._started = False
        if self._poller is not None:
            await self._poller.stop()
        if self._background:
            await asyncio.wait(set(self._background), timeout=self._drain_timeout)

    async def close(self) -> None:
        """Shut the Bot API client down (after `stop`, once the sends in hand are finished); idempotent."""
        with contextlib.suppress(Exception):
            await self._bot.shutdown()

    # --- receiving -----------------------------------------------------------------------------

    async def _webhook(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, self._secret):
            self._warnings.warning(
                "telegram:forbidden",
                "telegram webhook: missing or wrong secret token from %s",
                request.client.host if request.client else "?",
            )
            return Response("forbidden", status_code=403)
        body = await request.body()
        try:
            update, raw = parse_update_json(body, self._bot)
        except MalformedUpdate as exc:
            await self._rejected("unparseable", str(exc), body)
            return Response(status_code=200)  # acknowledged: a redelivery would not parse either
        try:
            await self.handle_update(update, raw)
        except Exception:
            # Not stored: ask Telegram to redeliver instead of acknowledging.
            logger.exception("telegram webhook: update %s could not be stored", update.update_id)
            return Response("temporarily unavailable", status_code=503)
        return Response(status_code=200)

    async def _rejected(self, reason: str, detail: str, body: bytes | str) -> None:
        """Count an update the bot cannot use (the reject hook) and warn about it, rate-limited."""
        self._warnings.warning(
            f"telegram:{reason}", "telegram: %s update acknowledged and not stored: %s", reason, detail
        )
        if self._reject is None:
            return
        try:
            await self._reject(RejectedUpdate("telegram", reason, detail, kept_body(body)))
        except Exception as exc:
            self._warnings.warning(
                "telegram:reject-failed", "telegram: recording a rejected update failed: %r", exc
            )

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
        """Store one update in the inbox (or apply an edit); then schedule its callback answer.

        An update that does not translate, or is of a kind the bot does not handle, goes to `reject`.
        """
        try:
            translation = self._translate(update, raw)
        except MalformedUpdate as exc:
            await self._rejected("malformed", f"update {update.update_id}: {exc}", _dumps(raw, update))
            return None
        result: IngestResult | None = None
        message = translation.message
        if translation.unsupported_kind:
            await self._rejected(
                "unsupported",
                f"update {update.update_id}: {translation.unsupported_kind}",
                _dumps(raw, update),
            )
        elif message is None:
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

    # --- sending -----------------------------------------------------------------------------

    async def send(self, message: OutgoingMessage, files: Sequence[FileContent] = ()) -> SendResult:
        """Deliver one message and its files through the paced sender (see TelegramSender)."""
        return await self._sender.send(message, files)

    async def fetch_file(self, attachment: Attachment, *, max_bytes: int) -> FileContent:
        """Download a file a supplier sent (at most 20 MB, Telegram's limit for bots, and `max_bytes`)."""
        return await fetch_file(self._bot, attachment, max_bytes=max_bytes, token=self._token)


def _dumps(raw: Mapping[str, Any] | None, update: Update) -> str:
    try:
        return json.dumps(raw if raw is not None else update.to_dict(), ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(update)[:2048]

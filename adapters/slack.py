"""Slack adapter: Bolt (AsyncApp) receives events and button clicks, slack_sdk posts replies.

Inbound rules (what is written to the inbox; everything else is acked and ignored):
  * DMs (channel_type "im"): every message a person writes.
  * Any channel: messages that mention the bot (`app_mention`, or a `message` whose text holds
    `<@BOT>`; both arrive for one post and share the dedupe key "channel:ts", so one is stored).
  * Thread replies without a mention: in the support channel always (relays and `note:` lines for
    the handoff), elsewhere only in a thread this process knows the bot is in (it was mentioned
    there or posted there; an in-memory, bounded set, so after a restart a follow-up needs a
    mention again).
  * Button clicks (`block_actions`) on the bot's messages.
Bot messages, the bot's own messages and non-text subtypes (joins, edits, deletions) are ignored.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal, Protocol

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.base import Ingest, SendResult
from adapters.slack_convert import (
    BUTTON_ACTION_PREFIX,
    ChannelRoles,
    is_human_message,
    mentions_user,
    message_from_block_action,
    message_from_event,
)
from adapters.slack_send import Monotonic, SlackSender, Sleep, describe_error, make_web_client
from dialogue.clock import Clock, system_clock
from dialogue.messages import ChannelKind, IncomingMessage, OutgoingMessage, Platform

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"

_KNOWN_THREADS_MAX = 10_000


class SlackAdapterSettings(Protocol):
    """What the adapter reads from bot.config.SlackSettings (adapters never import bot)."""

    @property
    def api_base_url(self) -> str: ...
    @property
    def sales_channels(self) -> Sequence[str]: ...
    @property
    def support_channel(self) -> str: ...
    @property
    def per_channel_interval_seconds(self) -> float: ...


class SlackAdapter:
    """One Slack workspace: `POST /slack/events` (HTTP mode) or Socket Mode, plus Web API sends."""

    platform = Platform.SLACK

    def __init__(
        self,
        *,
        settings: SlackAdapterSettings,
        bot_token: str,
        signing_secret: str,
        app_token: str = "",
        ingest: Ingest,
        mode: Literal["http", "socket"] = "http",
        clock: Clock = system_clock,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
        client: AsyncWebClient | None = None,
    ) -> None:
        if mode not in ("http", "socket"):
            raise ValueError(f"slack mode must be 'http' or 'socket', not {mode!r}")
        if mode == "http" and not signing_secret:
            raise ValueError("SLACK_SIGNING_SECRET is required for Slack HTTP mode")
        if mode == "socket" and not app_token:
            raise ValueError("SLACK_APP_TOKEN (xapp-...) is required for Slack Socket Mode")
        self.settings = settings
        self.mode = mode
        self._bot_token = bot_token
        self._signing_secret = signing_secret
        self._app_token = app_token
        self._ingest = ingest
        self._clock = clock
        self._roles = ChannelRoles(frozenset(settings.sales_channels), settings.support_channel)
        # No built-in SDK retries (not even on connection errors): a 429 or a network error
        # surfaces as a TransientDeliveryError for the outbox sender, which owns retrying.
        self.client = client or make_web_client(bot_token, settings.api_base_url)
        self.sender = SlackSender(
            client=self.client,
            per_channel_interval_seconds=settings.per_channel_interval_seconds,
            sleep=sleep,
            monotonic=monotonic,
        )
        self.bot_user_id = ""
        self.bot_id = ""
        self.team_id = ""
        self._known_threads: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._socket_handler: Any = None
        self._started = False
        self.app = self._build_app()

    # --- Bolt wiring -------------------------------------------------------------------------

    def _build_app(self) -> AsyncApp:
        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id,
                bot_token=self._bot_token,
                bot_user_id=self.bot_user_id or None,
                bot_id=self.bot_id or None,
            )

        # The authorize function answers from memory: no auth.test (network) before an ack.
        # A client without a token is required by Bolt when `authorize` is given.
        app = AsyncApp(
            client=AsyncWebClient(token=None, base_url=self.settings.api_base_url, retry_handlers=[]),
            signing_secret=self._signing_secret_or_none(),
            authorize=authorize,
            process_before_response=True,  # run the listener (inbox insert) before the HTTP ack
            request_verification_enabled=self.mode == "http",
            raise_error_for_unhandled_request=False,
        )
        # Bolt passes arguments by parameter name, so listeners are plain closures (no `self`).

        async def on_app_mention(body: dict[str, Any], event: dict[str, Any]) -> None:
            await self._on_app_mention(body, event)

        async def on_message(body: dict[str, Any], event: dict[str, Any]) -> None:
            await self._on_message(body, event)

        async def on_button(ack: Callable[[], Awaitable[Any]], body: dict[str, Any]) -> None:
            await self._on_button(ack, body)

        async def on_error(error: Exception, body: dict[str, Any]) -> None:
            logger.error("slack listener failed: %s", type(error).__name__, exc_info=error)

        async def on_other_event() -> None:
            """Any other event type is acked (200) so that Slack does not retry it."""

        app.event("app_mention")(on_app_mention)
        app.event("message")(on_message)
        app.event(re.compile(".*"))(on_other_event)
        app.action(re.compile(f"^{re.escape(BUTTON_ACTION_PREFIX)}"))(on_button)
        app.error(on_error)
        return app

    def _signing_secret_or_none(self) -> str | None:
        return None if self.mode == "socket" else self._signing_secret

    def _bot_user_from(self, body: Mapping[str, Any]) -> str:
        if self.bot_user_id:
            return self.bot_user_id
        for auth in body.get("authorizations") or ():
            if isinstance(auth, Mapping) and auth.get("is_bot") and auth.get("user_id"):
                return str(auth["user_id"])
        return ""

    async def _on_app_mention(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        bot_user = self._bot_user_from(body)
        if not is_human_message(event, bot_user_id=bot_user):
            return
        await self._store(event, body, bot_user)

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        bot_user = self._bot_user_from(body)
        if not is_human_message(event, bot_user_id=bot_user):
            return
        channel = str(event.get("channel") or "")
        kind = self._roles.kind_of(channel, str(event.get("channel_type") or ""))
        ts = str(event.get("ts") or "")
        thread_ts = str(event.get("thread_ts") or "")
        in_thread = bool(thread_ts) and thread_ts != ts
        wanted = (
            kind == ChannelKind.DM
            or mentions_user(str(event.get("text") or ""), bot_user)
            or (in_thread and kind == ChannelKind.SUPPORT)
            or (in_thread and (channel, thread_ts) in self._known_threads)
        )
        if wanted:
            await self._store(event, body, bot_user)

    async def _store(self, event: Mapping[str, Any], body: Mapping[str, Any], bot_user: str) -> None:
        msg = message_from_event(
            event,
            event_id=str(body.get("event_id") or ""),
            roles=self._roles,
            bot_user_id=bot_user,
            now=self._clock(),
        )
        await self._ingest_logged(msg)
        if msg.conversation.thread_id:
            self._remember_thread(msg.conversation.chat_id, msg.conversation.thread_id)

    async def _on_button(self, ack: Callable[[], Awaitable[Any]], body: dict[str, Any]) -> None:
        for action in body.get("actions") or ():
            if str(action.get("action_id") or "").startswith(BUTTON_ACTION_PREFIX):
                msg = message_from_block_action(body, action, roles=self._roles, now=self._clock())
                await self._ingest_logged(msg)
        await ack()

    async def _ingest_logged(self, msg: IncomingMessage) -> None:
        result = await self._ingest(msg)
        extra = {"conversation": msg.conversation.as_str(), "inbox_id": result.inbox_id}
        if result.duplicate:
            logger.info("slack %s already stored; acked", msg.external_id, extra=extra)
        else:
            logger.debug("slack %s stored: %r", msg.external_id, msg.text, extra=extra)

    def _remember_thread(self, channel: str, thread_ts: str) -> None:
        key = (channel, thread_ts)
        self._known_threads[key] = None
        self._known_threads.move_to_end(key)
        while len(self._known_threads) > _KNOWN_THREADS_MAX:
            self._known_threads.popitem(last=False)

    # --- Adapter protocol --------------------------------------------------------------------

    def routes(self) -> Sequence[BaseRoute]:
        if self.mode != "http":
            return []
        from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler

        handler = AsyncSlackRequestHandler(self.app)

        async def slack_events(request: Request) -> Response:
            return await handler.handle(request)

        return [Route(EVENTS_PATH, slack_events, methods=["POST"], name="slack_events")]

    async def start(self) -> None:
        """Learn the bot's identity (auth.test); in Socket Mode, connect. Idempotent."""
        if self._started:
            return
        self._started = True
        try:
            auth = await self.client.auth_test()
            self.bot_user_id = str(auth.get("user_id") or "")
            self.bot_id = str(auth.get("bot_id") or "")
            self.team_id = str(auth.get("team_id") or "")
            logger.info("slack: connected as %s (team %s)", self.bot_user_id, self.team_id)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            # Not fatal in HTTP mode: events carry `authorizations`, and sends report their own errors.
            logger.warning("slack: auth.test failed (%s); continuing", describe_error(exc))
        if self.mode == "socket":
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket_handler = AsyncSocketModeHandler(self.app, self._app_token)
            await self._socket_handler.connect_async()
            logger.info("slack: Socket Mode connected")

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        handler, self._socket_handler = self._socket_handler, None
        if handler is not None:
            try:
                await handler.close_async()
            except Exception:  # closing a broken socket must not block shutdown
                logger.warning("slack: closing Socket Mode failed", exc_info=True)

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Deliver one message (see SlackSender.send for the metadata keys); paced per channel."""
        result = await self.sender.send(message)
        thread = str(message.metadata.get("slack_thread_ts") or message.conversation.thread_id or "")
        if thread:
            self._remember_thread(message.conversation.chat_id, thread)
        return result

"""Slack adapter: Bolt (AsyncApp) receives events and button clicks, slack_sdk posts replies.

Inbound rules (what is written to the inbox; everything else is acked and ignored):
  * DMs (channel_type "im"): every message a person writes.
  * Any channel: messages that mention the bot (`app_mention`, or a `message` whose text holds
    `<@BOT>`; both arrive for one post and share the dedupe key "channel:ts", so one is stored).
  * Thread replies without a mention: in the support channel always (relays and `note:` lines for
    the handoff), elsewhere only in a thread this process knows the bot is in (it was mentioned
    there or posted there; an in-memory, bounded set, so after a restart a follow-up needs a
    mention again).
  * In the support channel, a person's edit or deletion of a thread reply (so a relay can follow).
  * Button clicks (`block_actions`) on the bot's messages.
Bot messages, the bot's own messages and other subtypes (joins, edits elsewhere) are ignored.

In HTTP mode nothing reads a request before its signature and timestamp are checked (401 if not
from Slack). A signed body is decoded and its shape checked (400 and one rate-limited warning when
malformed); kinds the adapter does not handle (app_rate_limited, tokens_revoked, other apps'
buttons, unknown types) are acknowledged with 200. Both go to `reject`, so they are counted. Only
then does Bolt dispatch the decoded body to the listeners; a storage failure stays a 500, so that
Slack retries, and anything else Bolt fails on is the body's fault (400).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.base import FileContent, Ingest, Reject, RejectedUpdate, SendResult
from adapters.guard import BadBody, kept_body
from adapters.pacing import Pacer, Sleep
from adapters.slack.blocks import BUTTON_ACTION_PREFIX
from adapters.slack.envelope import RequestVerifier, decode_request, route, shape_problem
from adapters.slack.files import download
from adapters.slack.inbound import (
    CHANGE_SUBTYPES,
    ChannelRoles,
    change_from_event,
    is_human_message,
    mentions_user,
    message_from_block_action,
    message_from_event,
    text_of,
)
from adapters.slack.outbound import SlackSender, describe_error, make_web_client, slack_pacer
from adapters.slack.settings import SlackSettings
from adapters.slack.socket_mode import SocketModeConnection
from adapters.throttled_log import ThrottledLog
from dialogue.clock import Clock, system_clock
from dialogue.messages import Attachment, ChannelKind, IncomingMessage, OutgoingMessage, Platform

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"

_KNOWN_THREADS_MAX = 10_000
_STORE_FAILED = "opsbot_store_failed"  # set in a request's context when the inbox write failed


class StoreFailed(Exception):
    """The inbox write of a Slack request failed: answer 500 so that Slack retries."""


class SlackAdapter:
    """One Slack workspace: `POST /slack/events` (HTTP mode) or Socket Mode, plus Web API sends."""

    platform = Platform.SLACK

    def __init__(
        self,
        *,
        settings: SlackSettings,
        bot_token: str,
        signing_secret: str,
        app_token: str = "",
        ingest: Ingest,
        mode: Literal["http", "socket"] = "http",
        clock: Clock = system_clock,
        sleep: Sleep = asyncio.sleep,
        pacer: Pacer | None = None,
        client: AsyncWebClient | None = None,
        reject: Reject | None = None,
        warning_log: ThrottledLog | None = None,
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
        self._ingest = ingest
        self._clock = clock
        self._reject = reject
        self._warnings = warning_log or ThrottledLog(logger)
        self._verifier = RequestVerifier(signing_secret, clock) if mode == "http" else None
        self._roles = ChannelRoles(frozenset(settings.sales_channels), settings.support_channel)
        # No built-in SDK retries (not even on connection errors): a 429 or a network error
        # surfaces as a TransientDeliveryError for the outbox sender, which owns retrying.
        self.client = client or make_web_client(bot_token, settings.api_base_url)
        self.sender = SlackSender(
            client=self.client,
            pacer=pacer or slack_pacer(settings.per_channel_interval_seconds, sleep=sleep),
        )
        self.bot_user_id = ""
        self.bot_id = ""
        self.team_id = ""
        self._known_threads: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._started = False
        self.app = self._build_app()
        self._socket = SocketModeConnection(self.app, app_token) if mode == "socket" else None

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
            request_verification_enabled=False,  # the route verifies before anything is parsed
            raise_error_for_unhandled_request=False,
        )
        # Bolt passes arguments by parameter name, so listeners are plain closures (no `self`).

        async def on_app_mention(body: dict[str, Any], event: dict[str, Any]) -> None:
            await self._on_app_mention(body, event)

        async def on_message(body: dict[str, Any], event: dict[str, Any]) -> None:
            await self._on_message(body, event)

        async def on_button(ack: Callable[[], Awaitable[Any]], body: dict[str, Any]) -> None:
            await self._on_button(ack, body)

        async def on_error(error: Exception, request: AsyncBoltRequest) -> None:
            if isinstance(error, StoreFailed):  # the route answers 500 for this one only
                request.context[_STORE_FAILED] = True
                logger.error("slack: the inbox write failed; Slack will retry", exc_info=error.__cause__)
            else:
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
        if text_of(event, "subtype") in CHANGE_SUBTYPES:
            await self._store_change(body, event, bot_user)
            return
        if not is_human_message(event, bot_user_id=bot_user):
            return
        channel = text_of(event, "channel")
        kind = self._roles.kind_of(channel, text_of(event, "channel_type"))
        ts = text_of(event, "ts")
        thread_ts = text_of(event, "thread_ts")
        in_thread = bool(thread_ts) and thread_ts != ts
        wanted = (
            kind == ChannelKind.DM
            or mentions_user(text_of(event, "text"), bot_user)
            or (in_thread and kind == ChannelKind.SUPPORT)
            or (in_thread and (channel, thread_ts) in self._known_threads)
        )
        if wanted:
            await self._store(event, body, bot_user)

    async def _store_change(self, body: Mapping[str, Any], event: Mapping[str, Any], bot_user: str) -> None:
        """An edit or deletion in the support channel's threads, for the relay to follow."""
        msg = change_from_event(
            event,
            event_id=text_of(body, "event_id"),
            roles=self._roles,
            bot_user_id=bot_user,
            now=self._clock(),
        )
        if msg is not None:
            await self._ingest_logged(msg)

    async def _store(self, event: Mapping[str, Any], body: Mapping[str, Any], bot_user: str) -> None:
        msg = message_from_event(
            event,
            event_id=text_of(body, "event_id"),
            roles=self._roles,
            bot_user_id=bot_user,
            now=self._clock(),
        )
        await self._ingest_logged(msg)
        if msg.conversation.thread_id:
            self._remember_thread(msg.conversation.chat_id, msg.conversation.thread_id)

    async def _on_button(self, ack: Callable[[], Awaitable[Any]], body: dict[str, Any]) -> None:
        actions = body.get("actions")
        for action in actions if isinstance(actions, list) else ():
            if isinstance(action, Mapping) and text_of(action, "action_id").startswith(BUTTON_ACTION_PREFIX):
                msg = message_from_block_action(body, action, roles=self._roles, now=self._clock())
                await self._ingest_logged(msg)
        await ack()

    async def _ingest_logged(self, msg: IncomingMessage) -> None:
        try:
            result = await self._ingest(msg)
        except Exception as exc:
            raise StoreFailed(f"the inbox write of {msg.external_id} failed") from exc
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
        return [Route(EVENTS_PATH, self._events, methods=["POST"], name="slack_events")]

    async def _events(self, request: Request) -> Response:
        """`POST /slack/events`: verify, decode, sort, and only then let Bolt dispatch."""
        body = await request.body()
        assert self._verifier is not None  # HTTP mode
        problem = self._verifier.problem(body, request.headers)
        if problem:
            client = request.client.host if request.client else "?"
            self._warnings.warning("slack:unauthorized", "slack events: %s from %s; refused", problem, client)
            return Response("unauthorized", status_code=401)
        try:
            payload = decode_request(body, request.headers.get("content-type", ""))
            shape = shape_problem(payload)
            if shape:
                raise BadBody(shape)
            where = route(payload, action_prefix=BUTTON_ACTION_PREFIX)
        except BadBody as exc:
            return await self._refused("malformed", exc.reason, body, status=400)
        if where.action == "url_verification":
            return JSONResponse({"challenge": payload["challenge"]})
        if where.action == "ack":
            return await self._refused("unsupported", where.detail, body, status=200)
        bolt_request = AsyncBoltRequest(body=payload, headers=dict(request.headers), mode="socket_mode")
        try:
            answer = await self.app.async_dispatch(bolt_request)
        except Exception as exc:  # Bolt failed on the body before any listener ran
            return await self._refused("malformed", f"{type(exc).__name__} in dispatch", body, status=400)
        if answer.status >= 500 and not bolt_request.context.get(_STORE_FAILED):
            return await self._refused("malformed", "a listener failed on the body", body, status=400)
        return Response(
            content=answer.body, status_code=answer.status, headers=answer.first_headers_without_set_cookie()
        )

    async def _refused(self, reason: str, detail: str, body: bytes, *, status: int) -> Response:
        """Count a signed request the adapter cannot use (the reject hook), warn (rate-limited), answer."""
        self._warnings.warning(f"slack:{reason}:{detail}", "slack events: %s request (%s)", reason, detail)
        if self._reject is not None:
            try:
                await self._reject(RejectedUpdate("slack", reason, detail, kept_body(body)))
            except Exception as exc:
                self._warnings.warning(
                    "slack:reject-failed", "slack: recording a rejected request failed: %r", exc
                )
        return Response(reason if status >= 400 else "", status_code=status)

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
        if self._socket is not None:
            await self._socket.connect()

    async def stop(self) -> None:
        """Close Socket Mode; idempotent."""
        if not self._started:
            return
        self._started = False
        if self._socket is not None:
            await self._socket.close()

    async def close(self) -> None:
        """Nothing to release: the Web API client opens a connection per call."""

    async def send(self, message: OutgoingMessage, files: Sequence[FileContent] = ()) -> SendResult:
        """Deliver one message (and its files) through the paced sender (see SlackSender)."""
        result = await self.sender.send(message, files)
        thread = message.conversation.thread_id
        if thread:
            self._remember_thread(message.conversation.chat_id, thread)
        return result

    async def fetch_file(self, attachment: Attachment, *, max_bytes: int) -> FileContent:
        """Download a file a person shared, with the bot token (needs the files:read scope)."""
        return await download(
            attachment, token=self._bot_token, max_bytes=max_bytes, api_base_url=self.settings.api_base_url
        )

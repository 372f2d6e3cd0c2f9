"""Slack Web API sending: Block Kit rendering, per-channel pacing, error mapping (no inbound side)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import SendResult
from adapters.slack_convert import build_blocks, fallback_text
from dialogue.errors import PermanentDeliveryError, TransientDeliveryError
from dialogue.messages import OutgoingMessage

logger = logging.getLogger(__name__)

# ok:false errors that no retry can fix. Anything else (ratelimited, internal_error, fatal_error,
# service_unavailable, request_timeout, ...) is reported as transient.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "restricted_action",
        "cannot_dm_bot",
        "user_not_found",
        "user_not_in_channel",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_arguments",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)
# reactions.add answers these when the reaction is already there: success for our purposes.
_HARMLESS_ERRORS = frozenset({"already_reacted"})

_DEFAULT_RETRY_AFTER = 1.0
Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]


def make_web_client(bot_token: str, api_base_url: str) -> AsyncWebClient:
    """A Web API client with no built-in retries: 429s and network errors surface to the caller."""
    return AsyncWebClient(token=bot_token or None, base_url=api_base_url, retry_handlers=[], timeout=15)


class SlackSender:
    """Delivers OutgoingMessages to Slack; raises Transient/PermanentDeliveryError, never retries itself."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        per_channel_interval_seconds: float = 1.0,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        self.client = client
        self.interval = per_channel_interval_seconds
        self.sleep = sleep
        self.monotonic = monotonic
        self._channel_locks: dict[str, asyncio.Lock] = {}
        self._next_slot: dict[str, float] = {}  # channel -> monotonic time of the next allowed post
        self._cooldown_until: dict[str, float] = {}  # channel -> end of a 429 Retry-After

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Post (or update / react / post ephemerally) one message, paced per channel.

        metadata keys understood: `slack_blocks` (Block Kit to send as is), `slack_update_ts`
        (chat.update that message), `slack_ephemeral_user` (chat.postEphemeral to that user),
        `slack_reaction` (reactions.add on `reply_to` or `slack_reaction_ts`), `slack_thread_ts`
        (thread override), `slack_reply_broadcast` (also show a thread reply in the channel).
        """
        channel = message.conversation.chat_id
        if not channel:
            raise PermanentDeliveryError("slack: message has no channel")
        async with self._lock(channel):
            await self._pace(channel)
            try:
                ts = await self._call(message, channel)
            except SlackApiError as exc:
                raise self._map_api_error(exc, channel) from exc
            except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
                raise TransientDeliveryError(f"slack: {describe_error(exc)}") from exc
        return SendResult(platform_message_id=ts)

    async def _call(self, message: OutgoingMessage, channel: str) -> str:
        meta = message.metadata
        reaction = str(meta.get("slack_reaction") or "")
        if reaction:
            target = str(meta.get("slack_reaction_ts") or message.reply_to or "")
            if not target:
                raise PermanentDeliveryError("slack: reaction without a message ts")
            try:
                await self.client.reactions_add(channel=channel, timestamp=target, name=reaction.strip(":"))
            except SlackApiError as exc:
                if _error_code(exc) not in _HARMLESS_ERRORS:
                    raise
            return target
        text = fallback_text(message)
        blocks = build_blocks(message)
        update_ts = str(meta.get("slack_update_ts") or "")
        if update_ts:
            resp = await self.client.chat_update(channel=channel, ts=update_ts, text=text, blocks=blocks)
            return str(resp.get("ts") or update_ts)
        thread_ts = str(meta.get("slack_thread_ts") or message.conversation.thread_id or "") or None
        ephemeral_user = str(meta.get("slack_ephemeral_user") or "")
        if ephemeral_user:
            resp = await self.client.chat_postEphemeral(
                channel=channel, user=ephemeral_user, text=text, blocks=blocks, thread_ts=thread_ts
            )
            return str(resp.get("message_ts") or "")
        kwargs: dict[str, Any] = {"channel": channel, "text": text, "blocks": blocks}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
            if meta.get("slack_reply_broadcast"):
                kwargs["reply_broadcast"] = True
        resp = await self.client.chat_postMessage(**kwargs)
        return str(resp.get("ts") or "")

    def _lock(self, channel: str) -> asyncio.Lock:
        lock = self._channel_locks.get(channel)
        if lock is None:
            lock = self._channel_locks[channel] = asyncio.Lock()
        return lock

    async def _pace(self, channel: str) -> None:
        """About one post per channel per interval; during a 429 cooldown, fail fast instead of waiting."""
        now = self.monotonic()
        cooldown = self._cooldown_until.get(channel, 0.0)
        if cooldown > now:
            raise TransientDeliveryError(
                "slack: ratelimited (cooling down)", retry_after=round(cooldown - now, 3)
            )
        wait = self._next_slot.get(channel, 0.0) - now
        if wait > 0:
            await self.sleep(wait)
        self._next_slot[channel] = max(now, self._next_slot.get(channel, 0.0)) + self.interval

    def _map_api_error(self, exc: SlackApiError, channel: str) -> Exception:
        status = getattr(exc.response, "status_code", 0)
        code = _error_code(exc)
        if status == 429 or code == "ratelimited":
            retry_after = _retry_after(exc) or _DEFAULT_RETRY_AFTER
            self._cooldown_until[channel] = self.monotonic() + retry_after
            logger.info("slack: rate limited on %s; retry after %.1fs", channel, retry_after)
            return TransientDeliveryError("slack: ratelimited", retry_after=retry_after)
        if code in PERMANENT_ERRORS:
            return PermanentDeliveryError(f"slack: {code}")
        return TransientDeliveryError(f"slack: {code or f'HTTP {status}'}")


def _error_code(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error") or "")
    except (AttributeError, TypeError, KeyError):
        return ""


def _retry_after(exc: SlackApiError) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    for key, value in dict(headers).items():
        if str(key).lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


def describe_error(exc: BaseException) -> str:
    """An error description that never includes a token."""
    if isinstance(exc, SlackApiError):
        return f"{_error_code(exc) or 'error'} (HTTP {getattr(exc.response, 'status_code', '?')})"
    return type(exc).__name__

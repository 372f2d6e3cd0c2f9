"""Core outgoing messages -> Slack Web API calls, paced per channel, with Slack errors mapped.

`reaction` -> reactions.add on `reply_to` (already there counts as success), `delete_of` ->
chat.delete, `edit_of` -> chat.update, `visible_to` -> chat.postEphemeral, a message with files ->
files_upload_v2 (the text as the files' comment), anything else -> chat.postMessage; all in the
conversation's thread. `format="markdown"` text is rendered as mrkdwn. After a 429 the channel
cools down for its Retry-After: sends to it fail fast with a TransientDeliveryError carrying the
time left. Every error carries its `DeliveryFailure` kind, from `SlackApiError.response["error"]`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import FileContent, SendResult
from adapters.pacing import Pacer, Rate, Sleep
from adapters.slack.blocks import build_blocks, comment_text, fallback_text
from adapters.slack.files import upload
from dialogue.errors import DeliveryFailure, PermanentDeliveryError, TransientDeliveryError
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
        "cant_delete_message",
        "edit_window_closed",
        "team_access_not_granted",
        "ekm_access_denied",
        "invalid_name",
    }
)
# What each permanent error is about, for the desk's words; the rest of PERMANENT_ERRORS is OTHER.
_KINDS = {
    **dict.fromkeys(
        ("channel_not_found", "is_archived", "account_inactive", "user_not_found"), DeliveryFailure.CHAT_GONE
    ),
    **dict.fromkeys(
        (
            "not_in_channel",
            "no_permission",
            "restricted_action",
            "cannot_dm_bot",
            "user_not_in_channel",
            "team_access_not_granted",
            "ekm_access_denied",
        ),
        DeliveryFailure.BLOCKED,
    ),
    "msg_too_long": DeliveryFailure.TOO_LARGE,
}
# Slack's answers for its own trouble (HTTP 5xx or ok:false): worth a retry, like a network error.
_SERVER_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
# reactions.add answers these when the reaction is already there: success for our purposes.
_HARMLESS_ERRORS = frozenset({"already_reacted"})

_DEFAULT_RETRY_AFTER = 1.0


def make_web_client(bot_token: str, api_base_url: str) -> AsyncWebClient:
    """A Web API client with no built-in retries: 429s and network errors surface to the caller."""
    return AsyncWebClient(token=bot_token or None, base_url=api_base_url, retry_handlers=[], timeout=15)


def slack_pacer(
    per_channel_interval_seconds: float,
    *,
    storage_uri: str = "memory://",
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.time,
) -> Pacer:
    """About one post per channel per `per_channel_interval_seconds`, nothing overall."""
    return Pacer(
        per_key=Rate.one_every(per_channel_interval_seconds),
        namespace="slack",
        storage_uri=storage_uri,
        sleep=sleep,
        clock=clock,
    )


class SlackSender:
    """Delivers OutgoingMessages to Slack; raises Transient/PermanentDeliveryError, never retries itself."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        per_channel_interval_seconds: float = 1.0,
        pacer: Pacer | None = None,
    ) -> None:
        self.client = client
        self.pacer = pacer or slack_pacer(per_channel_interval_seconds)
        self._channel_locks: dict[str, asyncio.Lock] = {}

    async def send(self, message: OutgoingMessage, files: Sequence[FileContent] = ()) -> SendResult:
        """Post (or update, delete, react to, post ephemerally) one message, paced per channel."""
        channel = message.conversation.chat_id
        if not channel:
            raise PermanentDeliveryError("slack: message has no channel")
        async with self._lock(channel):
            left = await self.pacer.cooling_down(channel)
            if left > 0:
                raise TransientDeliveryError(
                    "slack: ratelimited (cooling down)",
                    retry_after=round(left, 3),
                    kind=DeliveryFailure.RATE_LIMITED,
                )
            await self.pacer.acquire(channel)
            try:
                ts = await self._call(message, channel, files)
            except SlackApiError as exc:
                raise await self._map_api_error(exc, channel) from exc
            except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
                raise TransientDeliveryError(
                    f"slack: {describe_error(exc)}", kind=DeliveryFailure.NETWORK
                ) from exc
            finally:
                await self.pacer.sent(channel)
        return SendResult(platform_message_id=ts)

    async def _call(self, message: OutgoingMessage, channel: str, files: Sequence[FileContent]) -> str:
        if message.reaction:
            return await self._react(message, channel)
        if message.delete_of:
            await self.client.chat_delete(channel=channel, ts=message.delete_of)
            return message.delete_of
        text = fallback_text(message)
        blocks = build_blocks(message)
        if message.edit_of:
            resp = await self.client.chat_update(
                channel=channel, ts=message.edit_of, text=text, blocks=blocks
            )
            return str(resp.get("ts") or message.edit_of)
        thread_ts = message.conversation.thread_id or None
        if message.visible_to:
            resp = await self.client.chat_postEphemeral(
                channel=channel, user=message.visible_to, text=text, blocks=blocks, thread_ts=thread_ts
            )
            return str(resp.get("message_ts") or "")
        if files:
            return await upload(
                self.client, channel=channel, thread_ts=thread_ts, comment=comment_text(message), files=files
            )
        kwargs: dict[str, Any] = {"channel": channel, "text": text, "blocks": blocks}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        resp = await self.client.chat_postMessage(**kwargs)
        return str(resp.get("ts") or "")

    async def _react(self, message: OutgoingMessage, channel: str) -> str:
        if not message.reply_to:
            raise PermanentDeliveryError("slack: reaction without a message ts")
        try:
            await self.client.reactions_add(
                channel=channel, timestamp=message.reply_to, name=message.reaction.strip(":")
            )
        except SlackApiError as exc:
            if _error_code(exc) not in _HARMLESS_ERRORS:
                raise
        return message.reply_to

    def _lock(self, channel: str) -> asyncio.Lock:
        lock = self._channel_locks.get(channel)
        if lock is None:
            lock = self._channel_locks[channel] = asyncio.Lock()
        return lock

    async def _map_api_error(self, exc: SlackApiError, channel: str) -> Exception:
        status = getattr(exc.response, "status_code", 0)
        code = _error_code(exc)
        if status == 429 or code == "ratelimited":
            retry_after = _retry_after(exc) or _DEFAULT_RETRY_AFTER
            await self.pacer.cool_down(channel, retry_after)
            logger.info("slack: rate limited on %s; retry after %.1fs", channel, retry_after)
            return TransientDeliveryError(
                "slack: ratelimited", retry_after=retry_after, kind=DeliveryFailure.RATE_LIMITED
            )
        if code in PERMANENT_ERRORS:
            return PermanentDeliveryError(f"slack: {code}", kind=_KINDS.get(code, DeliveryFailure.OTHER))
        server = (isinstance(status, int) and status >= 500) or code in _SERVER_ERRORS
        return TransientDeliveryError(
            f"slack: {code or f'HTTP {status}'}",
            kind=DeliveryFailure.NETWORK if server else DeliveryFailure.OTHER,
        )


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

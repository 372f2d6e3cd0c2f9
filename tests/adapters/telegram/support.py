"""Doubles and builders for the Telegram adapter tests."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from adapters.base import IngestResult, RejectedUpdate
from adapters.pacing import Pacer
from adapters.telegram import SECRET_HEADER, WEBHOOK_PATH, TelegramAdapter
from adapters.telegram.settings import TelegramSettings
from dialogue.messages import ConversationKey, IncomingMessage, OutgoingMessage, Platform
from tests.fakes.telegram_api import FakeTelegramAPI

SECRET = "s3cret-Token_for-tests"
CHAT = 5001


@dataclass
class MemoryInbox:
    """In-memory ingest double with the inbox's dedupe rule (unique external id per platform)."""

    stored: dict[str, IncomingMessage] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    stored_at: dict[str, float] = field(default_factory=dict)
    fail_times: int = 0
    hook: Callable[[IncomingMessage], Awaitable[None]] | None = None

    async def __call__(self, message: IncomingMessage) -> IngestResult:
        self.calls.append(message.external_id)
        if self.fail_times > 0:
            self.fail_times -= 1
            raise ConnectionError("database is down")
        duplicate = message.external_id in self.stored
        if not duplicate:
            self.stored[message.external_id] = message
            self.stored_at[message.external_id] = time.monotonic()
        if self.hook is not None:
            await self.hook(message)
        return IngestResult(inbox_id=None if duplicate else len(self.stored), duplicate=duplicate)


@dataclass
class PendingEdits:
    """apply_edit double: message ids still waiting for an answer accept edits."""

    pending: set[str] = field(default_factory=set)
    applied: list[tuple[str, str, str]] = field(default_factory=list)

    async def __call__(self, message_id: str, conversation: str, text: str) -> bool:
        if message_id in self.pending:
            self.applied.append((message_id, conversation, text))
            return True
        return False


@dataclass
class Rejections:
    """reject double: what the adapter acknowledged without storing."""

    updates: list[RejectedUpdate] = field(default_factory=list)

    async def __call__(self, update: RejectedUpdate) -> None:
        self.updates.append(update)

    @property
    def reasons(self) -> list[str]:
        return [u.reason for u in self.updates]


def make_settings(api: FakeTelegramAPI, **overrides: Any) -> TelegramSettings:
    values: dict[str, Any] = {
        "api_base_url": api.base_url,
        "file_base_url": api.file_base_url,
        "bot_username": api.bot_username,
        "per_chat_interval_seconds": 0.0,
        "global_rate_per_second": 1000.0,
        "poll_timeout_seconds": 1,
    }
    values.update(overrides)
    return TelegramSettings(**values)


@dataclass
class Harness:
    api: FakeTelegramAPI
    adapter: TelegramAdapter
    inbox: MemoryInbox
    edits: PendingEdits
    client: httpx.AsyncClient
    rejected: Rejections

    async def post(
        self, update: Any, *, secret: str | None = SECRET, raw: bytes | None = None
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = raw if raw is not None else json.dumps(update).encode()
        return await self.client.post(WEBHOOK_PATH, content=body, headers=headers)


def build_adapter(
    api: FakeTelegramAPI,
    inbox: MemoryInbox,
    edits: PendingEdits,
    *,
    mode: str = "webhook",
    pacer: Pacer | None = None,
    rejected: Rejections | None = None,
    **settings: Any,
) -> TelegramAdapter:
    return TelegramAdapter(
        settings=make_settings(api, **settings),
        token=api.token,
        webhook_secret=SECRET,
        ingest=inbox,
        apply_edit=edits,
        mode=mode,
        pacer=pacer,
        poll_retry_seconds=0.05,
        drain_timeout_seconds=1.0,
        reject=rejected,
    )


def key(chat_id: int = CHAT) -> ConversationKey:
    return ConversationKey(Platform.TELEGRAM, str(chat_id))


def reply(text: str, **fields: Any) -> OutgoingMessage:
    return OutgoingMessage(conversation=key(), text=text, **fields)

"""Signed Slack Events API and interactivity request bodies, and an in-memory inbox, for the tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from adapters.base import IngestResult
from dialogue.messages import IncomingMessage

BOT_USER_ID = "UBOT"


SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
SALES = "CSALES"
SUPPORT = "CSUPPORT"
OTHER = "CRANDOM"
BOT_USER = BOT_USER_ID


def sign(body: str | bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers of Slack's v0 signing scheme: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def event_body(event: dict[str, Any], *, event_id: str = "Ev0001") -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0001", "user_id": BOT_USER, "is_bot": True}],
        }
    )


def mention(
    text: str = "hi",
    *,
    channel: str = SALES,
    ts: str = "1700000000.000100",
    thread_ts: str | None = None,
    user: str = "UREP",
    kind: str = "app_mention",
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind,
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if kind == "message":
        event["channel_type"] = "channel"
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def block_action_body(
    *, value: str, channel: str = SALES, message_ts: str = "1700000000.000200", thread_ts: str | None = None
) -> str:
    message: dict[str, Any] = {"type": "message", "ts": message_ts, "bot_id": "BBOT", "text": "pick"}
    if thread_ts:
        message["thread_ts"] = thread_ts
    payload = {
        "type": "block_actions",
        "user": {"id": "UREP", "username": "rep", "name": "rep", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": "123.456.abc",
        "team": {"id": "T0001", "domain": "fake"},
        "channel": {"id": channel, "name": "sales"},
        "message": message,
        "response_url": "https://hooks.slack.invalid/actions/1",
        "actions": [
            {
                "action_id": "opsbot_btn_0",
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "Yes"},
                "value": value,
                "type": "button",
                "action_ts": "1700000001.000300",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


@dataclass
class MemoryInbox:
    """An Ingest double with the inbox's two unique keys."""

    messages: list[IncomingMessage] = field(default_factory=list)
    calls: int = 0
    _keys: set[tuple[str, str]] = field(default_factory=set)

    async def __call__(self, msg: IncomingMessage) -> IngestResult:
        self.calls += 1
        keys = {("ext", msg.external_id)} | ({("dedupe", msg.dedupe_key)} if msg.dedupe_key else set())
        if keys & self._keys:
            return IngestResult(inbox_id=None, duplicate=True)
        self._keys |= keys
        self.messages.append(msg)
        return IngestResult(inbox_id=len(self.messages), duplicate=False)

"""A fake Slack Web API on 127.0.0.1 for slack_sdk's AsyncWebClient(base_url=...).

Runs uvicorn in a background thread (so it outlives any one event loop), records every call and
can be told to fail the next calls of a method with a 429 (Retry-After) or an `ok: false` error.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters.base import IngestResult
from dialogue.messages import IncomingMessage

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"


@dataclass(frozen=True)
class SlackCall:
    method: str
    args: dict[str, Any]
    token: str
    at: float


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: float | None
    remaining: int


@dataclass
class FakeSlackApi:
    """State of the fake; `base_url` ends with a slash, as slack_sdk expects."""

    base_url: str = ""
    calls: list[SlackCall] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> posted messages
    _failures: dict[str, list[_Failure]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts_counter: int = 0

    # --- scripting -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error: str = "ratelimited",
        status: int = 200,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with an error (status 429 sends Retry-After)."""
        with self._lock:
            self._failures.setdefault(method, []).append(_Failure(status, error, retry_after, times))

    def rate_limit_next(
        self, method: str = "chat.postMessage", *, retry_after: float = 1, times: int = 1
    ) -> None:
        self.fail_next(method, error="ratelimited", status=429, retry_after=retry_after, times=times)

    def calls_to(self, method: str) -> list[SlackCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()
            self.messages.clear()

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> list[SlackCall]:
        """Wait (polling, real time) until `count` successful-or-not calls of `method` were made."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"expected {count} call(s) to {method}, got {len(self.calls_to(method))}")

    # --- server side -----------------------------------------------------------------------

    def _next_ts(self) -> str:
        with self._lock:
            self._ts_counter += 1
            return f"{int(time.time())}.{self._ts_counter:06d}"

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            queue = self._failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.pop(0)
            return failure

    async def _handle(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        raw = await request.body()
        ctype = request.headers.get("content-type", "")
        args: dict[str, Any]
        if "json" in ctype and raw:
            args = json.loads(raw)
        else:
            args = dict(parse_qsl(raw.decode("utf-8"))) if raw else {}
            args.update(request.query_params)
        for key in ("blocks", "attachments"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            self.calls.append(SlackCall(method, args, token, time.monotonic()))
        failure = self._take_failure(method)
        if failure is not None:
            headers = (
                {"Retry-After": str(int(failure.retry_after))} if failure.retry_after is not None else {}
            )
            return JSONResponse(
                {"ok": False, "error": failure.error}, status_code=failure.status, headers=headers
            )
        if not token:
            return JSONResponse({"ok": False, "error": "not_authed"})
        return JSONResponse(self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.com/", "team": "Fake", "user": "opsbot",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}  # fmt: skip
        if method == "chat.postMessage":
            ts = self._next_ts()
            message = {"ts": ts, "text": args.get("text", ""), "user": BOT_USER_ID, "bot_id": BOT_ID}
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            if args.get("blocks"):
                message["blocks"] = args["blocks"]
            with self._lock:
                self.messages.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": args.get("ts", ""), "text": args.get("text", "")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "reactions.add":
            return {"ok": True}
        if method == "conversations.replies":
            ts = str(args.get("ts", ""))
            with self._lock:
                found = [
                    m for m in self.messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts
                ]
            return {"ok": True, "messages": found, "has_more": False}
        if method == "users.info":
            user = str(args.get("user", ""))
            info = self.users.get(user) or {
                "id": user,
                "name": user.lower(),
                "real_name": user,
                "is_bot": False,
            }
            return {"ok": True, "user": info}
        return {"ok": False, "error": "unknown_method"}

    def asgi(self) -> Starlette:
        return Starlette(routes=[Route("/api/{method}", self._handle, methods=["GET", "POST"])])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session", name="slack_api_server")
def slack_api_server_fixture() -> Iterator[FakeSlackApi]:
    """The fake, started once per test session (import this and `slack_api_fixture` to use it)."""
    fake = FakeSlackApi()
    port = _free_port()
    config = uvicorn.Config(fake.asgi(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="fake-slack-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("fake Slack API did not start")
        time.sleep(0.01)
    fake.base_url = f"http://127.0.0.1:{port}/api/"
    yield fake
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(name="slack_api")
def slack_api_fixture(
    slack_api_server: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeSlackApi]:
    """The fake Slack Web API, reset for each test; proxies unset (slack_sdk ignores NO_PROXY)."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    slack_api_server.reset()
    yield slack_api_server
    slack_api_server.reset()


# --- inbound side: signed Events API / interactivity requests ------------------------------

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
SALES = "CSALES"
SUPPORT = "CSUPPORT"
OTHER = "CRANDOM"
BOT_USER = BOT_USER_ID


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers of Slack's v0 signing scheme: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
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

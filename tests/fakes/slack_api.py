"""A fake Slack Web API on 127.0.0.1 for slack_sdk's AsyncWebClient(base_url=...).

Answers auth.test, chat.postMessage, chat.update, chat.delete, chat.postEphemeral, reactions.add,
conversations.replies, users.info, usergroups.users.list and the files_upload_v2 flow
(files.getUploadURLExternal, the upload URL, files.completeUploadExternal), and serves files for
`url_private_download` (or, like Slack without `files:read`, an HTML login page). Runs uvicorn in a
background thread (so it outlives any one event loop), records every call and can be told to fail the
next calls of a method with a 429 (Retry-After) or an `ok: false` error. Request builders and the
in-memory inbox live in slack_events (re-exported here).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.fakes.servers import ThreadedServer
from tests.fakes.slack_events import (
    BOT_TOKEN,
    BOT_USER,
    BOT_USER_ID,
    OTHER,
    SALES,
    SIGNING_SECRET,
    SUPPORT,
    MemoryInbox,
    block_action_body,
    event_body,
    mention,
    sign,
)

__all__ = [
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_USER",
    "BOT_USER_ID",
    "OTHER",
    "SALES",
    "SIGNING_SECRET",
    "SUPPORT",
    "FakeSlackApi",
    "HostedFile",
    "MemoryInbox",
    "SlackCall",
    "Upload",
    "block_action_body",
    "event_body",
    "mention",
    "sign",
    "slack_api_fixture",
    "slack_api_server_fixture",
]

BOT_ID = "BBOT"
TEAM_ID = "T0001"
LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>"


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


@dataclass(frozen=True)
class HostedFile:
    data: bytes
    mime_type: str


@dataclass
class Upload:
    """One file uploaded through the files_upload_v2 flow."""

    file_id: str
    filename: str
    length: int  # as announced to files.getUploadURLExternal
    data: bytes = b""
    title: str = ""
    channel: str = ""
    thread_ts: str = ""
    initial_comment: str = ""
    completed: bool = False


@dataclass
class FakeSlackApi:
    """State of the fake; `base_url` ends with a slash, as slack_sdk expects."""

    base_url: str = ""
    calls: list[SlackCall] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> posted messages
    uploads: list[Upload] = field(default_factory=list)
    hosted: dict[str, HostedFile] = field(default_factory=dict)  # file id -> bytes for url_private
    login_page: bool = False  # answer downloads with an HTML login page (no files:read)
    _failures: dict[str, list[_Failure]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts_counter: int = 0
    _file_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

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
            self.users.clear()
            self.usergroups.clear()
            self.uploads.clear()
            self.hosted.clear()
            self.login_page = False

    @property
    def root_url(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def host_file(self, file_id: str, data: bytes, *, name: str = "file.bin", mime_type: str = "") -> str:
        """Serve `data` to requests with the bot token; returns its url_private_download."""
        with self._lock:
            self.hosted[file_id] = HostedFile(data, mime_type or "application/octet-stream")
        return f"{self.root_url}/files-pri/T0001-{file_id}/download/{name}"

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
        for key in ("blocks", "attachments", "files"):
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
            with self._lock:
                for message in self.messages.get(channel, []):
                    if message["ts"] == args.get("ts"):
                        message.update(text=args.get("text", ""), blocks=args.get("blocks") or [])
            return {"ok": True, "channel": channel, "ts": args.get("ts", ""), "text": args.get("text", "")}
        if method == "chat.delete":
            ts = str(args.get("ts", ""))
            with self._lock:
                kept = [m for m in self.messages.get(channel, []) if m["ts"] != ts]
                if len(kept) == len(self.messages.get(channel, [])):
                    return {"ok": False, "error": "message_not_found"}
                self.messages[channel] = kept
            return {"ok": True, "channel": channel, "ts": ts}
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
        if method == "usergroups.users.list":
            group = str(args.get("usergroup", ""))
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": list(self.usergroups[group])}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._file_ids):05d}"
            upload = Upload(file_id, str(args.get("filename", "")), int(args.get("length", 0) or 0))
            with self._lock:
                self.uploads.append(upload)
            return {"ok": True, "upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return self._complete_upload(args)
        return {"ok": False, "error": "unknown_method"}

    def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel_id", ""))
        thread_ts = str(args.get("thread_ts") or "")
        wanted = {str(f.get("id")): str(f.get("title") or "") for f in args.get("files") or []}
        ts = self._next_ts()
        with self._lock:
            done = [u for u in self.uploads if u.file_id in wanted and not u.completed]
            if len(done) != len(wanted):
                return {"ok": False, "error": "file_not_found"}
            for upload in done:
                upload.title, upload.channel, upload.thread_ts = wanted[upload.file_id], channel, thread_ts
                upload.initial_comment, upload.completed = str(args.get("initial_comment") or ""), True
            message: dict[str, Any] = {"ts": ts, "text": str(args.get("initial_comment") or ""),
                                       "user": BOT_USER_ID, "files": [u.file_id for u in done]}  # fmt: skip
            if thread_ts:
                message["thread_ts"] = thread_ts
            if channel:
                self.messages.setdefault(channel, []).append(message)
        share = {channel: [{"ts": ts, **({"thread_ts": thread_ts} if thread_ts else {})}]} if channel else {}
        files = [{"id": u.file_id, "name": u.filename, "title": u.title, "size": len(u.data),
                  "shares": {"public": share}} for u in done]  # fmt: skip
        return {"ok": True, "files": files}

    async def _receive_upload(self, request: Request) -> Response:
        data = await request.body()
        file_id = request.path_params["file_id"]
        with self._lock:
            upload = next((u for u in self.uploads if u.file_id == file_id), None)
            if upload is None:
                return Response("not found", status_code=404)
            upload.data = data
        return Response(f"OK - {len(data)}", media_type="text/plain")

    async def _serve_file(self, request: Request) -> Response:
        file_id = request.path_params["team_file"].split("-", 1)[-1]
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            self.calls.append(SlackCall("files-pri", {"file": file_id}, token, time.monotonic()))
            hosted = self.hosted.get(file_id)
            login = self.login_page or not token.startswith("xoxb-")
        if login:  # what Slack answers a token without files:read (or none at all)
            return HTMLResponse(LOGIN_PAGE)
        if hosted is None:
            return Response("file not found", status_code=404)
        return Response(hosted.data, media_type=hosted.mime_type)

    def asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/{method}", self._handle, methods=["GET", "POST"]),
                Route("/upload/{file_id}", self._receive_upload, methods=["POST"]),
                Route("/files-pri/{team_file}/download/{name}", self._serve_file, methods=["GET"]),
                Route("/files-pri/{team_file}/{name}", self._serve_file, methods=["GET"]),
            ]
        )


@pytest.fixture(scope="session", name="slack_api_server")
def slack_api_server_fixture() -> Iterator[FakeSlackApi]:
    """The fake, started once per test session (import this and `slack_api_fixture` to use it)."""
    fake = FakeSlackApi()
    server = ThreadedServer(fake.asgi(), name="fake-slack-api")
    fake.base_url = f"http://127.0.0.1:{server.port}/api/"
    yield fake
    server.stop()


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

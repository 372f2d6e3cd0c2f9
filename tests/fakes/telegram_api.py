"""A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that PTB talks to through `base_url`.

It answers /bot<TOKEN>/<method> for getMe, sendMessage, editMessageText, editMessageReplyMarkup,
deleteMessage, setMessageReaction, answerCallbackQuery, setWebhook, deleteWebhook, getWebhookInfo,
getUpdates (queued updates, honouring offset confirmation and long-poll timeouts like the real server),
getFile, sendPhoto and sendDocument (multipart uploads; see telegram_files), and serves registered files
under /file/bot<TOKEN>/<path>. It records every call, validates HTML like Telegram does, and can fail
the next N calls of a method (429 with retry_after, 403, 500, ...). Update builders live in
telegram_updates (re-exported here).

Fixtures: `telegram_api` (state reset per test) on a session-wide server `telegram_api_server`; make them
visible with `pytest_plugins = ["tests.fakes.telegram_api"]` in tests/conftest.py, or import both names.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.servers import ThreadedServer, serve_asgi
from tests.fakes.telegram_files import FakeTelegramFiles, SentFile
from tests.fakes.telegram_html import visible_text
from tests.fakes.telegram_methods import ChatMethods, SentMessage
from tests.fakes.telegram_params import CANONICAL, METHODS, UPLOAD_METHODS, parse_params
from tests.fakes.telegram_updates import (
    BOT_USER_ID,
    callback_update,
    document_update,
    edited_update,
    photo_update,
    text_update,
    tg_chat,
    tg_user,
)

__all__ = [
    "BOT_USER_ID",
    "DEFAULT_TOKEN",
    "ApiCall",
    "FakeTelegramAPI",
    "SentFile",
    "SentMessage",
    "callback_update",
    "document_update",
    "edited_update",
    "photo_update",
    "serve_asgi",
    "telegram_api",
    "telegram_api_server",
    "text_update",
    "tg_chat",
    "tg_user",
    "visible_text",
]

DEFAULT_TOKEN = "123456:TEST-fake-token"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")

_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]
    status: int
    at: float


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int | None
    description: str
    skip: int = 0
    migrate_to: int | None = None


class FakeTelegramAPI(ChatMethods):
    """The fake server plus its recorded state; thread-safe, usable from sync and async tests."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, bot_username: str = "opsbot_test_bot") -> None:
        self.token = token
        self.bot_username = bot_username
        self.port = 0
        self._lock = threading.Lock()
        self._calls: list[ApiCall] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._blocked_chats: set[str] = set()
        self._migrated_chats: dict[str, int] = {}
        self._updates: list[dict[str, Any]] = []
        self._confirmed_offset = 0
        self._message_ids = itertools.count(1000)
        self.messages: list[SentMessage] = []
        self.files = FakeTelegramFiles()
        self.deleted: list[SentMessage] = []
        self.reactions: list[tuple[int | str, int, str]] = []  # (chat_id, message_id, emoji)
        self.webhook: dict[str, Any] = {}
        self.answered_callbacks: list[str] = []
        self._server: ThreadedServer | None = None
        self._closing = False

    # --- addresses ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # --- control -------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        times: int = 1,
        *,
        retry_after: int | None = None,
        description: str = "",
        skip: int = 0,
    ) -> None:
        """Fail `times` calls of `method` with `status` after letting `skip` calls succeed.

        A 429 carries parameters.retry_after, like Telegram's flood control.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        text = description or (
            f"Too Many Requests: retry after {retry_after}"
            if status == 429
            else _DESCRIPTIONS.get(status, "Error")
        )
        with self._lock:
            self._failures.setdefault(method, []).append(_Failure(status, times, retry_after, text, skip))

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer `method` only after `seconds` (a slow network), until reset."""
        self._delays[method] = seconds

    def reset(self) -> None:
        """Forget everything recorded or queued (the server keeps running)."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._blocked_chats.clear()
            self._migrated_chats.clear()
            self._updates.clear()
            self._confirmed_offset = 0
            self.messages.clear()
            self.deleted.clear()
            self.reactions.clear()
            self.webhook = {}
            self.answered_callbacks.clear()
            self.files.reset()
            self._delays.clear()

    def add_file(
        self, file_id: str, data: bytes, *, file_name: str = "file.bin", size: int | None = None
    ) -> None:
        """Register a file a user sent, for getFile and the download route (`size` may claim more)."""
        with self._lock:
            self.files.add(file_id, data, file_name=file_name, size=size)

    def sent_files(self, chat_id: int | str | None = None) -> list[SentFile]:
        """Photos and documents uploaded with sendPhoto / sendDocument, in order."""
        with self._lock:
            return [f for f in self.files.sent if chat_id is None or str(f.chat_id) == str(chat_id)]

    def block_chat(self, chat_id: int | str) -> None:
        """Every sendMessage to this chat answers 403 (the user blocked the bot)."""
        with self._lock:
            self._blocked_chats.add(str(chat_id))

    def migrate_chat(self, chat_id: int | str, new_chat_id: int) -> None:
        """The group became a supergroup: sends to `chat_id` answer 400 with migrate_to_chat_id."""
        with self._lock:
            self._migrated_chats[str(chat_id)] = new_chat_id

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        with self._lock:
            self._updates.append(update)

    # --- inspection ------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[ApiCall]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def ok_calls(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls(method) if c.status == 200]

    def messages_to(self, chat_id: int | str) -> list[SentMessage]:
        with self._lock:
            return [m for m in self.messages if str(m.chat_id) == str(chat_id)]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        with self._lock:
            return [u for u in self._updates if u["update_id"] >= self._confirmed_offset]

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block (sync tests) until predicate() holds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("fake Telegram API: condition not reached in time")
            time.sleep(0.01)

    async def until(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        """Await (async tests) until predicate() holds."""
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("fake Telegram API: condition not reached in time")
            await asyncio.sleep(0.01)

    # --- HTTP ----------------------------------------------------------------------------------

    def _take_failure(self, method: str, params: dict[str, Any]) -> _Failure | None:
        if method in ("sendMessage", *UPLOAD_METHODS) and str(params.get("chat_id")) in self._blocked_chats:
            return _Failure(403, 1, None, _DESCRIPTIONS[403])
        moved = self._migrated_chats.get(str(params.get("chat_id")))
        if method in ("sendMessage", *UPLOAD_METHODS) and moved is not None:
            description = "Bad Request: group chat was upgraded to a supergroup chat"
            return _Failure(400, 1, None, description, migrate_to=moved)
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        if failure.skip > 0:
            failure.skip -= 1
            return None
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    @staticmethod
    def _error(
        status: int, description: str, retry_after: int | None = None, migrate_to: int | None = None
    ) -> JSONResponse:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        if migrate_to is not None:
            body["parameters"] = {"migrate_to_chat_id": migrate_to}
        return JSONResponse(body, status_code=status)

    def _record(self, method: str, params: dict[str, Any], status: int) -> None:
        self._calls.append(ApiCall(method, params, status, time.monotonic()))

    async def _endpoint(self, request: Request) -> JSONResponse:
        token = request.path_params["token"]
        name = request.path_params["method"]
        method = CANONICAL.get(name.lower(), name)
        try:
            params, uploads = await parse_params(request)
        except (ValueError, UnicodeDecodeError):
            params, uploads = {}, {}
        if token != self.token:
            with self._lock:
                self._record(method, params, 401)
            return self._error(401, "Unauthorized")
        if method not in METHODS:
            with self._lock:
                self._record(method, params, 404)
            return self._error(404, "Not Found: method not found")
        if method == "getUpdates":
            return await self._get_updates(params)
        delay = self._delays.get(method, 0.0)
        if delay:
            await asyncio.sleep(delay)
        with self._lock:
            failure = self._take_failure(method, params)
            if failure is not None:
                self._record(method, params, failure.status)
                return self._error(
                    failure.status, failure.description, failure.retry_after, failure.migrate_to
                )
            if method in UPLOAD_METHODS:
                status, body = self._upload(method, params, uploads)
            else:
                status, body = self._handle(method, params)
            self._record(method, params, status)
        if status != 200:
            return self._error(status, str(body))
        return JSONResponse({"ok": True, "result": body})

    def _upload(
        self, method: str, params: dict[str, Any], uploads: dict[str, tuple[str, bytes]]
    ) -> tuple[int, Any]:
        """sendPhoto / sendDocument; runs under the lock."""
        message_id = next(self._message_ids)
        status, media = self.files.upload(method, params, uploads, message_id)
        if status != 200:
            return status, media
        chat_id = params["chat_id"]
        chat_type = "private" if isinstance(chat_id, int) and chat_id > 0 else "group"
        body = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type},
        }
        return 200, {**body, "from": self._bot_user(), **media}

    async def _download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response("Unauthorized", status_code=401)
        with self._lock:
            data = self.files.download(request.path_params["path"])
        if data is None:
            return Response("Not Found", status_code=404)
        return Response(data, media_type="application/octet-stream")

    async def _get_updates(self, params: dict[str, Any]) -> JSONResponse:
        timeout = float(params.get("timeout", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        deadline = time.monotonic() + min(timeout, 30.0)
        while True:
            with self._lock:
                failure = self._take_failure("getUpdates", params)
                if failure is not None:
                    self._record("getUpdates", params, failure.status)
                    return self._error(failure.status, failure.description, failure.retry_after)
                if self.webhook.get("url"):
                    self._record("getUpdates", params, 409)
                    return self._error(
                        409,
                        "Conflict: can't use getUpdates method while webhook is active; "
                        "use deleteWebhook to delete the webhook first",
                    )
                offset = params.get("offset")
                if offset is not None and offset > self._confirmed_offset:
                    self._confirmed_offset = offset  # like Telegram: updates below offset are forgotten
                ready = [u for u in self._updates if u["update_id"] >= self._confirmed_offset][:limit]
                if ready or time.monotonic() >= deadline or self._closing:
                    self._record("getUpdates", params, 200)
                    return JSONResponse({"ok": True, "result": ready})
            await asyncio.sleep(0.02)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
            ]
        )

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        self._server = ThreadedServer(self.app(), name="fake-telegram-api")
        self.port = self._server.port

    def stop(self) -> None:
        self._closing = True
        if self._server is not None:
            self._server.stop()

    @classmethod
    @contextlib.contextmanager
    def running(cls, **kwargs: Any) -> Iterator[FakeTelegramAPI]:
        api = cls(**kwargs)
        api.start()
        try:
            yield api
        finally:
            api.stop()


@pytest.fixture(scope="session")
def telegram_api_server() -> Iterator[FakeTelegramAPI]:
    """One fake Bot API server per test session (proxies unset so PTB connects to 127.0.0.1 directly)."""
    for name in PROXY_VARS:
        os.environ.pop(name, None)
    with FakeTelegramAPI.running() as api:
        yield api


@pytest.fixture
def telegram_api(telegram_api_server: FakeTelegramAPI) -> FakeTelegramAPI:
    """The running fake Bot API, with calls, queued updates, failures and webhook cleared."""
    telegram_api_server.reset()
    return telegram_api_server

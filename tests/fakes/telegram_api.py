"""A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that PTB talks to through `base_url`.

It answers /bot<TOKEN>/<method> for getMe, sendMessage, editMessageText, editMessageReplyMarkup,
answerCallbackQuery, setWebhook, deleteWebhook, getWebhookInfo and getUpdates (queued updates, honouring
offset confirmation and long-poll timeouts like the real server), records every call, validates HTML
like Telegram does, and can fail the next N calls of a method (429 with retry_after, 403, 500, ...).

Fixtures: `telegram_api` (state reset per test) on a session-wide server `telegram_api_server`; make them
visible with `pytest_plugins = ["tests.fakes.telegram_api"]` in tests/conftest.py, or import both names.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import os
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DEFAULT_TOKEN = "123456:TEST-fake-token"
BOT_USER_ID = 123456
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")

_METHODS = (
    "getMe",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "getUpdates",
)
_CANONICAL = {name.lower(): name for name in _METHODS}
_JSON_PARAMS = {"reply_markup", "reply_parameters", "allowed_updates", "entities", "link_preview_options"}
_INT_PARAMS = {
    "offset",
    "limit",
    "timeout",
    "message_id",
    "message_thread_id",
    "cache_time",
    "max_connections",
}
_BOOL_PARAMS = {"drop_pending_updates", "show_alert", "disable_notification"}
_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_BARE_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")

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


@dataclass
class SentMessage:
    message_id: int
    chat_id: int | str
    html: str  # the text parameter as sent
    text: str  # what the user sees: tags removed, entities decoded
    reply_markup: Any = None
    parse_mode: str = ""
    edits: list[str] = field(default_factory=list)


class _HtmlChecker(HTMLParser):
    """Telegram's HTML rules, strictly enough to catch unescaped text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'unmatched end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(text: str, parse_mode: str) -> tuple[str, str]:
    """(visible text, error) for a message text as Telegram would parse it."""
    if parse_mode.upper() != "HTML":
        return text, ""
    if _BARE_AMPERSAND.search(text):
        return "", "Bad Request: can't parse entities: unsupported start of entity"
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.error or checker.stack:
        detail = checker.error or f'can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
        return "", f"Bad Request: can't parse entities: {detail}"
    return html.unescape("".join(checker.text)), ""


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegramAPI:
    """The fake server plus its recorded state; thread-safe, usable from sync and async tests."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, bot_username: str = "opsbot_test_bot") -> None:
        self.token = token
        self.bot_username = bot_username
        self.port = 0
        self._lock = threading.Lock()
        self._calls: list[ApiCall] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._blocked_chats: set[str] = set()
        self._updates: list[dict[str, Any]] = []
        self._confirmed_offset = 0
        self._message_ids = itertools.count(1000)
        self.messages: list[SentMessage] = []
        self.webhook: dict[str, Any] = {}
        self.answered_callbacks: list[str] = []
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
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

    def reset(self) -> None:
        """Forget everything recorded or queued (the server keeps running)."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._blocked_chats.clear()
            self._updates.clear()
            self._confirmed_offset = 0
            self.messages.clear()
            self.webhook = {}
            self.answered_callbacks.clear()

    def block_chat(self, chat_id: int | str) -> None:
        """Every sendMessage to this chat answers 403 (the user blocked the bot)."""
        with self._lock:
            self._blocked_chats.add(str(chat_id))

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
        if method == "sendMessage" and str(params.get("chat_id")) in self._blocked_chats:
            return _Failure(403, 1, None, _DESCRIPTIONS[403])
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
    def _error(status: int, description: str, retry_after: int | None = None) -> JSONResponse:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return JSONResponse(body, status_code=status)

    @staticmethod
    async def _params(request: Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        if body and "json" in content_type:
            raw.update(json.loads(body))
            return raw
        if body:
            raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and key in _JSON_PARAMS:
                params[key] = json.loads(value)
            elif isinstance(value, str) and key in _INT_PARAMS:
                params[key] = int(value)
            elif isinstance(value, str) and key in _BOOL_PARAMS:
                params[key] = value.lower() == "true"
            elif key == "chat_id" and isinstance(value, str) and value.lstrip("-").isdigit():
                params[key] = int(value)
            else:
                params[key] = value
        return params

    def _record(self, method: str, params: dict[str, Any], status: int) -> None:
        self._calls.append(ApiCall(method, params, status, time.monotonic()))

    async def _endpoint(self, request: Request) -> JSONResponse:
        token = request.path_params["token"]
        name = request.path_params["method"]
        method = _CANONICAL.get(name.lower(), name)
        try:
            params = await self._params(request)
        except (ValueError, UnicodeDecodeError):
            params = {}
        if token != self.token:
            with self._lock:
                self._record(method, params, 401)
            return self._error(401, "Unauthorized")
        if method not in _METHODS:
            with self._lock:
                self._record(method, params, 404)
            return self._error(404, "Not Found: method not found")
        if method == "getUpdates":
            return await self._get_updates(params)
        with self._lock:
            failure = self._take_failure(method, params)
            if failure is not None:
                self._record(method, params, failure.status)
                return self._error(failure.status, failure.description, failure.retry_after)
            status, body = self._handle(method, params)
            self._record(method, params, status)
        if status != 200:
            return self._error(status, str(body))
        return JSONResponse({"ok": True, "result": body})

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_USER_ID, "is_bot": True, "first_name": "Opsbot", "username": self.bot_username}

    def _handle(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """Answer one call; runs under the lock."""
        if method == "getMe":
            return 200, self._bot_user()
        if method == "sendMessage":
            text = str(params.get("text", ""))
            parse_mode = str(params.get("parse_mode", ""))
            if "chat_id" not in params:
                return 400, "Bad Request: chat_id is empty"
            shown, error = visible_text(text, parse_mode)
            if error:
                return 400, error
            if not shown.strip():
                return 400, "Bad Request: message text is empty"
            if _utf16_len(shown) > 4096:
                return 400, "Bad Request: message is too long"
            message = SentMessage(
                next(self._message_ids),
                params["chat_id"],
                text,
                shown,
                params.get("reply_markup"),
                parse_mode,
            )
            self.messages.append(message)
            return 200, self._message_json(message)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            target = next((m for m in self.messages if m.message_id == params.get("message_id")), None)
            if target is None or str(target.chat_id) != str(params.get("chat_id")):
                return 400, "Bad Request: message to edit not found"
            if method == "editMessageText":
                shown, error = visible_text(str(params.get("text", "")), str(params.get("parse_mode", "")))
                if error:
                    return 400, error
                target.edits.append(shown)
                target.text, target.html = shown, str(params.get("text", ""))
            target.reply_markup = params.get("reply_markup")
            return 200, self._message_json(target)
        if method == "answerCallbackQuery":
            self.answered_callbacks.append(str(params.get("callback_query_id", "")))
            return 200, True
        if method == "setWebhook":
            self.webhook = {
                "url": params.get("url", ""),
                "secret_token": params.get("secret_token", ""),
                "allowed_updates": params.get("allowed_updates", []),
            }
            if params.get("drop_pending_updates"):
                self._confirmed_offset = max(
                    [u["update_id"] + 1 for u in self._updates] + [self._confirmed_offset]
                )
            return 200, True
        if method == "deleteWebhook":
            self.webhook = {}
            if params.get("drop_pending_updates"):
                self._confirmed_offset = max(
                    [u["update_id"] + 1 for u in self._updates] + [self._confirmed_offset]
                )
            return 200, True
        if method == "getWebhookInfo":
            pending = len([u for u in self._updates if u["update_id"] >= self._confirmed_offset])
            info: dict[str, Any] = {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": pending,
            }
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
            return 200, info
        return 404, "Not Found: method not found"

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        chat_id = message.chat_id
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {
                "id": chat_id,
                "type": "private" if isinstance(chat_id, int) and chat_id > 0 else "group",
            },
            "from": self._bot_user(),
            "text": message.text,
        }
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        return body

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
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=2, access_log=False
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), name="fake-telegram-api", daemon=True
        )
        self._thread.start()
        self.wait_until(lambda: server.started, timeout=10)

    def stop(self) -> None:
        self._closing = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    @classmethod
    @contextlib.contextmanager
    def running(cls, **kwargs: Any) -> Iterator[FakeTelegramAPI]:
        api = cls(**kwargs)
        api.start()
        try:
            yield api
        finally:
            api.stop()


@contextlib.asynccontextmanager
async def serve_asgi(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app over real HTTP on 127.0.0.1 inside the running event loop; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


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


# --- real update JSON builders ----------------------------------------------------------------------


def tg_user(
    user_id: int, first_name: str = "Li", last_name: str = "Wei", language: str = "en"
) -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "last_name": last_name,
        "username": f"user{user_id}",
        "language_code": language,
    }


def tg_chat(chat_id: int, chat_type: str = "private", title: str = "") -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat.update(first_name="Li", last_name="Wei", username=f"user{chat_id}")
    else:
        chat["title"] = title or "Suppliers group"
    return chat


def _message(
    message_id: int,
    chat_id: int,
    user_id: int,
    *,
    chat_type: str = "private",
    date: int = 1_790_000_000,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "from": tg_user(user_id),
        "chat": tg_chat(chat_id, chat_type),
        "date": date,
        **fields,
    }


def text_update(
    update_id: int,
    text: str,
    *,
    chat_id: int = 5001,
    user_id: int | None = None,
    message_id: int | None = None,
    chat_type: str = "private",
) -> dict[str, Any]:
    fields: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(" ", 1)[0]
        fields["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    return {
        "update_id": update_id,
        "message": _message(
            message_id or update_id, chat_id, user_id or abs(chat_id), chat_type=chat_type, **fields
        ),
    }


def edited_update(
    update_id: int, message_id: int, text: str, *, chat_id: int = 5001, user_id: int | None = None
) -> dict[str, Any]:
    message = _message(message_id, chat_id, user_id or chat_id, text=text, edit_date=1_790_000_100)
    return {"update_id": update_id, "edited_message": message}


def photo_update(update_id: int, *, chat_id: int = 5001, caption: str = "") -> dict[str, Any]:
    sizes = [
        {
            "file_id": f"small-{update_id}",
            "file_unique_id": f"s{update_id}",
            "width": 90,
            "height": 90,
            "file_size": 1200,
        },
        {
            "file_id": f"large-{update_id}",
            "file_unique_id": f"l{update_id}",
            "width": 1280,
            "height": 960,
            "file_size": 120_000,
        },
    ]
    fields: dict[str, Any] = {"photo": sizes}
    if caption:
        fields["caption"] = caption
    return {"update_id": update_id, "message": _message(update_id, chat_id, chat_id, **fields)}


def document_update(
    update_id: int, *, chat_id: int = 5001, file_name: str = "invoice.pdf", mime_type: str = "application/pdf"
) -> dict[str, Any]:
    document = {
        "file_id": f"doc-{update_id}",
        "file_unique_id": f"d{update_id}",
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": 50_000,
    }
    return {"update_id": update_id, "message": _message(update_id, chat_id, chat_id, document=document)}


def callback_update(
    update_id: int,
    data: str,
    *,
    chat_id: int = 5001,
    query_id: str | None = None,
    message_id: int = 900,
    chat_type: str = "private",
) -> dict[str, Any]:
    message = {
        "message_id": message_id,
        "from": {"id": BOT_USER_ID, "is_bot": True, "first_name": "Opsbot", "username": "opsbot_test_bot"},
        "chat": tg_chat(chat_id, chat_type),
        "date": 1_790_000_000,
        "text": "Set SKU-1 stock to 40?",
        "reply_markup": {
            "inline_keyboard": [
                [
                    {"text": "Yes", "callback_data": "confirm:yes"},
                    {"text": "No", "callback_data": "confirm:no"},
                ]
            ]
        },
    }
    return {
        "update_id": update_id,
        "callback_query": {
            "id": query_id or f"cbq-{update_id}",
            "from": tg_user(abs(chat_id)),
            "message": message,
            "chat_instance": "-4242",
            "data": data,
        },
    }

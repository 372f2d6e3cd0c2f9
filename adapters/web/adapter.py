"""The web chat on the shared ASGI app: the page at GET /, POST /web/messages, GET /web/updates.

A message is answered in the HTTP response (the pipeline's replies to it); what comes later (an agent's
replies, handoff notices, the rating keyboard) the page polls from GET /web/updates. With a console
backend the adapter also serves the agent console at /agent (see `adapters.web.console`).

Who is asking decides the rest (`adapters.web.gate`): this machine's user speaks as the page's `sender`
(and, with `web.trust_supplier_id`, for the picked supplier); a remote visitor is a signed session that
links to a supplier with a one-time code, as on Telegram, and `/logout` ends. Every response carries
the security headers of `adapters.web.access`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from importlib import resources
from typing import Protocol
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.base import FileContent, FileUnavailable, Ingest, SendResult
from adapters.guard import BadBody, decode_json
from adapters.pacing import EpochClock
from adapters.web.access import (
    ConsoleAccess,
    Endpoint,
    RateLimits,
    refuse_cross_site,
    security_headers,
    with_headers,
)
from adapters.web.console import AgentConsole, ConsoleBackend
from adapters.web.feed import ChatFeed, updates_json
from adapters.web.gate import ChatGate, Visitor
from adapters.web.session import SESSION_PREFIX, SessionCookies
from adapters.web.settings import WebSettings
from adapters.web.wire import parse_sender, parse_web_message, reply_json
from dialogue.messages import (
    Attachment,
    ChannelKind,
    ConversationKey,
    IncomingMessage,
    OutgoingMessage,
    Platform,
    Sender,
)

# Waits until the pipeline has answered inbox row `inbox_id` (or the timeout passes); returns the replies.
WaitReplies = Callable[[int, float], Awaitable[list[OutgoingMessage] | None]]
# Forgets the supplier a web chat user linked (`/logout`); the argument is the chat's user id.
Unlink = Callable[[str], Awaitable[object]]

LOGGED_OUT = {
    "en": "You are signed out: this chat no longer speaks for a supplier. "
    "To link it again, send the one-time code from your account manager.",
    "zh": "您已退出：本聊天不再代表任何供应商。如需重新绑定，请发送客户经理提供的一次性代码。",
}


class FileSource(Protocol):
    """Where the files the bot generated (charts) are kept; the page shows them from /web/files/<id>."""

    async def fetch_file(self, attachment: Attachment, *, max_bytes: int) -> FileContent: ...


MAX_SERVED_BYTES = 10 * 1024 * 1024

ASSETS = {"chat.js": "text/javascript", "agent.js": "text/javascript", "web.css": "text/css"}


def _asset(name: str) -> str:
    return resources.files("adapters.web").joinpath(f"static/{name}").read_text(encoding="utf-8")


class WebChatAdapter:
    """The chat page and its JSON endpoints; replies come back in HTTP responses, not through send."""

    platform = Platform.WEB

    def __init__(
        self,
        *,
        settings: WebSettings,
        ingest: Ingest,
        wait_replies: WaitReplies,
        feed: ChatFeed | None = None,
        console: ConsoleBackend | None = None,
        agent_token: str = "",
        files: FileSource | None = None,
        session_secret: str = "",
        unlink: Unlink | None = None,
        limits: RateLimits | None = None,
        on_link_failure: Callable[[], None] | None = None,
        clock: EpochClock = time.time,
    ) -> None:
        """`feed`: later messages and the demo suppliers; `console`: the agent console (None: no /agent);
        `files`: the generated files replies link to (None: no /web/files).

        `agent_token` opens the console, and `session_secret` (WEB_SESSION_SECRET) the chat, to other
        machines when `settings.allow_remote` is on. `unlink` forgets a user's supplier link (/logout);
        `limits` counts remote visitors' messages and code attempts (default: in this process);
        `on_link_failure` is told of each wrong code; `clock` dates the session cookies.
        """
        self._ingest = ingest
        self._wait = wait_replies
        self._feed = feed
        self._files = files
        self._unlink = unlink
        self._trust = settings.trust_supplier_id
        self._timeout = settings.reply_timeout_seconds
        sessions = (
            SessionCookies(session_secret, ttl=timedelta(minutes=settings.session_ttl_minutes), clock=clock)
            if session_secret
            else None
        )
        self._gate = ChatGate(
            settings,
            sessions=sessions,
            limits=limits or RateLimits(),
            on_link_failure=on_link_failure,
        )
        self._headers = security_headers(settings.embed_origins)
        access = ConsoleAccess(allow_remote=settings.allow_remote, token=agent_token)
        self._console = AgentConsole(console, access) if console is not None else None

    def routes(self) -> Sequence[BaseRoute]:
        def route(path: str, endpoint: Endpoint, method: str) -> Route:
            return Route(path, with_headers(endpoint, self._headers), methods=[method])

        routes: list[BaseRoute] = [
            route("/", self._page, "GET"),
            route("/web/messages", self._post, "POST"),
            route("/web/updates", self._updates, "GET"),
            route("/web/suppliers", self._suppliers, "GET"),
            route("/web/static/{name:str}", self._static, "GET"),
            route("/web/files/{file_id:str}", self._file, "GET"),
        ]
        if self._console is not None:
            routes.extend(self._console.routes())
        return routes

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send(self, message: OutgoingMessage, files: Sequence[FileContent] = ()) -> SendResult:
        """Nothing to push: the page reads its replies from the outbox (inline, or from /web/updates)."""
        return SendResult(platform_message_id="")

    async def fetch_file(self, attachment: Attachment, *, max_bytes: int) -> FileContent:
        """Nobody uploads files in the web chat: there is never one to fetch."""
        raise FileUnavailable("the web chat carries no files")

    def _who(self, request: Request, *, start: bool = False) -> Visitor | Response:
        return self._gate.visitor(request, start=start, replace_broken=False)

    async def _page(self, request: Request) -> Response:
        """The page; a remote visitor gets a session with it (a broken cookie is replaced)."""
        visitor = self._gate.visitor(request, start=True, replace_broken=True)
        if isinstance(visitor, Response):
            return visitor
        return self._gate.keep(HTMLResponse(_asset("chat.html")), visitor, request)

    async def _file(self, request: Request) -> Response:
        """A file the bot generated for a reply (a chart), by its random id."""
        visitor = self._who(request)
        if isinstance(visitor, Response):
            return visitor
        attachment = Attachment(kind="file", file_id=request.path_params["file_id"], platform="generated")
        try:
            if self._files is None:
                raise FileUnavailable("no files are kept")
            file = await self._files.fetch_file(attachment, max_bytes=MAX_SERVED_BYTES)
        except FileUnavailable:
            return JSONResponse({"error": "no such file"}, status_code=404)
        headers = {
            "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(file.name)}",
        }
        return Response(file.data, media_type=file.mime_type, headers=headers)

    async def _static(self, request: Request) -> Response:
        visitor = self._who(request)
        if isinstance(visitor, Response):
            return visitor
        name = request.path_params["name"]
        if name not in ASSETS:
            return JSONResponse({"error": "no such file"}, status_code=404)
        headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        return Response(_asset(name), media_type=ASSETS[name], headers=headers)

    async def _post(self, request: Request) -> Response:
        refused = refuse_cross_site(request)
        if refused is not None:
            return refused
        visitor = self._who(request, start=True)
        if isinstance(visitor, Response):
            return visitor
        try:
            body = decode_json(await request.body())
            message = self._message(body, visitor)
        except BadBody as exc:
            return JSONResponse({"error": f"body is {exc.reason}"}, status_code=400)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        limited = await self._gate.admit(visitor, message.text)
        if limited is not None:
            return self._gate.keep(limited, visitor, request)
        if message.command == "logout":
            return await self._logout(request, visitor, message.conversation)
        result = await self._ingest(message)
        if result.inbox_id is None:
            return self._gate.keep(JSONResponse({"replies": [], "duplicate": True}), visitor, request)
        replies = await self._wait(result.inbox_id, self._timeout)
        if replies is None:
            pending = {
                "replies": [],
                "pending": True,
                "error": "no reply within the timeout; it will still be processed",
            }
            return self._gate.keep(JSONResponse(pending, status_code=202), visitor, request)
        await self._gate.answered(visitor, replies)
        answer = JSONResponse({"replies": [reply_json(r) for r in replies]})
        return self._gate.keep(answer, visitor, request)

    def _message(self, body: object, visitor: Visitor) -> IncomingMessage:
        """The page's message; a remote session's names its own conversation, as a supplier DM."""
        if visitor.local or visitor.session is None:
            message = parse_web_message(body, trust_supplier_id=self._trust)
            if message.sender.id.startswith(SESSION_PREFIX):
                raise ValueError(f"'sender' may not start with {SESSION_PREFIX!r}")
            return message
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        user = visitor.session.user_id
        message = parse_web_message({**body, "sender": user}, trust_supplier_id=False)
        return dataclasses.replace(
            message,
            conversation=ConversationKey(Platform.WEB, user),
            sender=Sender(id=user),
            channel_kind=ChannelKind.PRIVATE,  # a supplier's own chat, as on Telegram: no sales intents
            supplier_id=None,
        )

    async def _logout(self, request: Request, visitor: Visitor, conversation: ConversationKey) -> Response:
        """Forget the link; a remote visitor also starts a new session (a new, unlinked conversation)."""
        if self._unlink is not None:
            await self._unlink(conversation.chat_id)
        language = "zh" if request.headers.get("accept-language", "").lower().startswith("zh") else "en"
        said = OutgoingMessage(conversation, LOGGED_OUT[language], metadata={"outcome": "logged_out"})
        response = JSONResponse({"replies": [reply_json(said)]})
        return response if visitor.local else self._gate.end(response, request)

    async def _updates(self, request: Request) -> Response:
        """GET /web/updates?sender=S[&after=N]: later messages of the conversation; no `after`: the cursor.

        A remote visitor's conversation is its session's, whatever `sender` says.
        """
        visitor = self._who(request)
        if isinstance(visitor, Response):
            return visitor
        if self._feed is None or (not visitor.local and visitor.session is None):
            nothing = {"enabled": self._feed is not None, "cursor": 0, "messages": [], "handoff": None}
            return JSONResponse(nothing)  # a remote visitor without a session has no conversation yet
        try:
            if visitor.session is not None:
                sender = visitor.session.user_id
            else:
                sender = parse_sender(request.query_params.get("sender"))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        raw_after = request.query_params.get("after")
        if raw_after is not None and not (
            raw_after.isascii() and raw_after.isdigit() and len(raw_after) <= 18
        ):
            return JSONResponse({"error": "'after' must be an outbox id (a whole number)"}, status_code=400)
        after = int(raw_after) if raw_after is not None else None
        updates = await self._feed.updates(ConversationKey(Platform.WEB, sender), after)
        return JSONResponse(updates_json(updates))

    async def _suppliers(self, request: Request) -> Response:
        """The demo suppliers the page offers: to a local visitor with `trust_supplier_id` only."""
        visitor = self._who(request)
        if isinstance(visitor, Response):
            return visitor
        trusted = self._trust and visitor.local
        found = await self._feed.demo_suppliers() if self._feed is not None and trusted else ()
        return JSONResponse({"trusted": trusted, "suppliers": [{"id": s.id, "name": s.name} for s in found]})

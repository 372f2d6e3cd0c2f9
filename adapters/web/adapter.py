"""The local web chat on the shared ASGI app: the page at GET /, POST /web/messages, GET /web/updates.

A message is answered in the HTTP response (the pipeline's replies to it); what comes later (an agent's
replies, handoff notices, the rating keyboard) the page polls from GET /web/updates. With a console
backend the adapter also serves the agent console at /agent (see `adapters.web.console`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from importlib import resources
from typing import Protocol
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.base import FileContent, FileUnavailable, Ingest, SendResult
from adapters.guard import BadBody, decode_json
from adapters.web.access import LOCAL_ONLY, ConsoleAccess, is_local_client
from adapters.web.console import PAGE_HEADERS, AgentConsole, ConsoleBackend
from adapters.web.feed import ChatFeed, updates_json
from adapters.web.settings import WebSettings
from adapters.web.wire import parse_sender, parse_web_message, reply_json
from dialogue.messages import Attachment, ConversationKey, OutgoingMessage, Platform

# Waits until the pipeline has answered inbox row `inbox_id` (or the timeout passes); returns the replies.
WaitReplies = Callable[[int, float], Awaitable[list[OutgoingMessage] | None]]


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
    ) -> None:
        """`feed`: later messages and the demo suppliers; `console`: the agent console (None: no /agent);
        `files`: the generated files replies link to (None: no /web/files).

        `agent_token` opens the console to other machines when `settings.allow_remote` is on.
        """
        self._ingest = ingest
        self._wait = wait_replies
        self._feed = feed
        self._files = files
        self._trust = settings.trust_supplier_id
        self._timeout = settings.reply_timeout_seconds
        self._allow_remote = settings.allow_remote
        access = ConsoleAccess(allow_remote=settings.allow_remote, token=agent_token)
        self._console = AgentConsole(console, access) if console is not None else None

    def routes(self) -> Sequence[BaseRoute]:
        routes: list[BaseRoute] = [
            Route("/", self._page, methods=["GET"]),
            Route("/web/messages", self._post, methods=["POST"]),
            Route("/web/updates", self._updates, methods=["GET"]),
            Route("/web/suppliers", self._suppliers, methods=["GET"]),
            Route("/web/static/{name:str}", self._static, methods=["GET"]),
            Route("/web/files/{file_id:str}", self._file, methods=["GET"]),
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

    def _refused(self, request: Request) -> Response | None:
        if self._allow_remote or is_local_client(request):
            return None
        return JSONResponse({"error": LOCAL_ONLY}, status_code=403)

    async def _page(self, request: Request) -> Response:
        return self._refused(request) or HTMLResponse(_asset("chat.html"), headers=PAGE_HEADERS)

    async def _file(self, request: Request) -> Response:
        """A file the bot generated for a reply (a chart), by its random id."""
        refused = self._refused(request)
        if refused is not None:
            return refused
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
        refused = self._refused(request)
        if refused is not None:
            return refused
        name = request.path_params["name"]
        if name not in ASSETS:
            return JSONResponse({"error": "no such file"}, status_code=404)
        headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        return Response(_asset(name), media_type=ASSETS[name], headers=headers)

    async def _post(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        try:
            body = decode_json(await request.body())
            message = parse_web_message(body, trust_supplier_id=self._trust)
        except BadBody as exc:
            return JSONResponse({"error": f"body is {exc.reason}"}, status_code=400)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        result = await self._ingest(message)
        if result.inbox_id is None:
            return JSONResponse({"replies": [], "duplicate": True}, status_code=200)
        replies = await self._wait(result.inbox_id, self._timeout)
        if replies is None:
            return JSONResponse(
                {
                    "replies": [],
                    "pending": True,
                    "error": "no reply within the timeout; it will still be processed",
                },
                status_code=202,
            )
        return JSONResponse({"replies": [reply_json(r) for r in replies]})

    async def _updates(self, request: Request) -> Response:
        """GET /web/updates?sender=S[&after=N]: later messages of S's conversation; no `after`: the cursor."""
        refused = self._refused(request)
        if refused is not None:
            return refused
        if self._feed is None:
            return JSONResponse({"enabled": False, "cursor": 0, "messages": [], "handoff": None})
        try:
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
        """The demo suppliers the page offers (none when the chat does not take a supplier id)."""
        refused = self._refused(request)
        if refused is not None:
            return refused
        found = await self._feed.demo_suppliers() if self._feed is not None and self._trust else ()
        return JSONResponse(
            {"trusted": self._trust, "suppliers": [{"id": s.id, "name": s.name} for s in found]}
        )

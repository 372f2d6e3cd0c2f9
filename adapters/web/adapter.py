"""The local web chat: POST /web/messages and a chat page at GET /, through the same inbox and outbox.

A body that is not JSON, nests too deeply or has fields of the wrong type is answered 400 with a JSON
error. Replies carry their `format` and the names of their files (the chat shows no file content).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.base import FileContent, FileUnavailable, Ingest, SendResult
from adapters.guard import BadBody, decode_json
from adapters.web.settings import WebSettings
from dialogue.messages import (
    Attachment,
    Card,
    ChannelKind,
    ConversationKey,
    IncomingMessage,
    OutgoingMessage,
    Platform,
    Sender,
)

# Waits until the pipeline has answered inbox row `inbox_id` (or the timeout passes); returns the replies.
WaitReplies = Callable[[int, float], Awaitable[list[OutgoingMessage] | None]]

_LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}


def parse_web_message(body: Any, *, trust_supplier_id: bool) -> IncomingMessage:
    """Validate the JSON body; raises ValueError with a message for the client."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    sender, text = body.get("sender"), body.get("text")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > 128:
        raise ValueError("'sender' must be a non-empty string of at most 128 characters")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'text' must be a non-empty string")
    if len(text) > 4000:
        raise ValueError("'text' is longer than 4000 characters")
    supplier_id = body.get("supplier_id")
    if supplier_id is not None and not isinstance(supplier_id, str):
        raise ValueError("'supplier_id' must be a string or null")
    message_id = body.get("message_id") or uuid.uuid4().hex
    if not isinstance(message_id, str) or len(message_id) > 128:
        raise ValueError("'message_id' must be a string of at most 128 characters")
    callback = body.get("callback_data") or ""
    if not isinstance(callback, str) or len(callback) > 256:
        raise ValueError("'callback_data' must be a string of at most 256 characters")
    command, args = "", ""
    if text.startswith("/") and len(text) > 1:
        command, _, args = text[1:].partition(" ")
    return IncomingMessage(
        platform=Platform.WEB,
        conversation=ConversationKey(Platform.WEB, sender.strip()),
        sender=Sender(id=sender.strip(), display_name=sender.strip()),
        text=text.strip(),
        external_id=message_id,
        timestamp=datetime.now(UTC),
        channel_kind=ChannelKind.WEB,
        callback_data=callback,
        command=command.lower(),
        command_args=args.strip(),
        message_id=message_id,
        supplier_id=(supplier_id or None) if trust_supplier_id else None,
        raw=body,
    )


def _card_json(card: Card) -> dict[str, Any]:
    return {
        "title": card.title,
        "fields": [[label, value] for label, value in card.fields],
        "sections": list(card.sections),
        "context": list(card.context),
    }


def reply_json(msg: OutgoingMessage) -> dict[str, Any]:
    """One reply as the chat page reads it; a card is {title, fields: [[label, value]], sections, context}."""
    return {
        "text": msg.text,
        "buttons": [{"label": b.label, "value": b.value} for b in msg.buttons],
        "table": [list(r) for r in msg.table],
        "card": _card_json(msg.card) if msg.card is not None else None,
        "kind": msg.kind,
        "format": msg.format,
        "files": [f.file_name or f.kind for f in msg.files],
        "metadata": dict(msg.metadata),
    }


class WebChatAdapter:
    """The chat page and its JSON endpoint; replies come back in the HTTP response, not through send."""

    platform = Platform.WEB

    def __init__(self, *, settings: WebSettings, ingest: Ingest, wait_replies: WaitReplies) -> None:
        self._ingest = ingest
        self._wait = wait_replies
        self._trust = settings.trust_supplier_id
        self._timeout = settings.reply_timeout_seconds
        self._allow_remote = settings.allow_remote

    def routes(self) -> Sequence[BaseRoute]:
        return [
            Route("/", self._page, methods=["GET"]),
            Route("/web/messages", self._post, methods=["POST"]),
        ]

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, message: OutgoingMessage, files: Sequence[FileContent] = ()) -> SendResult:
        """Web replies are returned in the HTTP response; delivery is reading them from the outbox."""
        return SendResult(platform_message_id="")

    async def fetch_file(self, attachment: Attachment, *, max_bytes: int) -> FileContent:
        """The web chat sends text only: there is never a file to fetch."""
        raise FileUnavailable("the web chat carries no files")

    def _local(self, request: Request) -> bool:
        host = request.client.host if request.client else ""
        return self._allow_remote or host in _LOOPBACK

    async def _page(self, request: Request) -> Response:
        if not self._local(request):
            return JSONResponse({"error": "the web chat is for local use"}, status_code=403)
        html = resources.files("adapters.web").joinpath("static/chat.html").read_text(encoding="utf-8")
        return HTMLResponse(html)

    async def _post(self, request: Request) -> Response:
        if not self._local(request):
            return JSONResponse({"error": "the web chat is for local use"}, status_code=403)
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

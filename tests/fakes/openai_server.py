"""A fake OpenAI-compatible chat server (Starlette) on 127.0.0.1: JSON and streamed answers, recorded
requests, and injected failures (hang, HTTP status, invalid JSON)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

Answer = Callable[[dict[str, Any]], str]  # request body -> the assistant's content


@dataclass
class FakeOpenAI:
    """Set `answer` (or `content`), `status`, `hang_seconds`; read `requests` afterwards."""

    content: str = "{}"
    answer: Answer | None = None
    status: int | None = None
    hang_seconds: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        """End any hang now (before the server stops)."""
        self._released.set()

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )

    def last_text(self) -> str:
        """Everything the last request sent to the model, as one string."""
        return "\n".join(str(m.get("content", "")) for m in self.requests[-1]["messages"])

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        self.paths.append(request.url.path)
        if self.hang_seconds:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), self.hang_seconds)
        if self.status is not None:
            error = {"error": {"message": f"injected {self.status}", "type": "fake", "code": self.status}}
            headers = {"retry-after": "1"} if self.status == 429 else None
            return JSONResponse(error, status_code=self.status, headers=headers)
        content = self.answer(body) if self.answer is not None else self.content
        usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        if body.get("stream"):
            return StreamingResponse(self._chunks(body, content, usage), media_type="text/event-stream")
        return JSONResponse(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake-model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
            }
        )

    async def _chunks(self, body: dict[str, Any], content: str, usage: dict[str, int]) -> AsyncIterator[str]:
        base = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": body["model"],
        }
        pieces = [content[i : i + 5] for i in range(0, len(content), 5)]
        for piece in pieces:
            delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
            yield f"data: {json.dumps({**base, 'choices': [delta]})}\n\n"
        stop = {"index": 0, "delta": {}, "finish_reason": "stop"}
        yield f"data: {json.dumps({**base, 'choices': [stop]})}\n\n"
        if (body.get("stream_options") or {}).get("include_usage"):
            yield f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n"
        yield "data: [DONE]\n\n"

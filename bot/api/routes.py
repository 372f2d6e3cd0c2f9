"""`POST /api/v1/{entity}` and `GET /api/v1/batches/{id}`: the push API, served by the web role.

A request is checked here (token, size, syntax, each row against the contract) and its rows are queued
as a batch: 202 with the batch id. The worker applies batches in order (`bot.api.applier`), and the
batch's status says what it changed, or which rows it refused. Nothing in the request writes to the
business tables, so a burst of pushes costs the chat no more than a burst of messages.

Wrong or missing tokens are counted per client address (`adapters.web.access.RateLimits`, shared
through Redis with REDIS_URL): past `api.token_failures_before_lock` the address gets 429 with
Retry-After, whatever token it sends, for `api.token_lock_minutes`. A database error while a batch is
looked up or queued is a 503 JSON answer (the traceback goes to the log), never a 500 page.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.web.access import (
    Limit,
    RateLimits,
    bearer,
    client_address,
    error,
    security_headers,
    token_matches,
    too_many,
    with_headers,
)
from bot.api.applier import row_errors
from bot.api.batches import Batch, BatchQueue
from bot.api.body import BodyUnreadable, check_body
from bot.dataio.entities import BY_NAME
from bot.notify import Notifier
from dialogue.clock import Clock

logger = logging.getLogger(__name__)
T = TypeVar("T")

QUERY_TOKENS = ("token", "access_token", "api_key", "apikey", "key")
DISABLED = "the push API is off: set the OPSBOT_API_TOKEN environment variable to turn it on"
IN_QUERY = (
    "a token in the URL is refused (URLs are logged and cached): "
    "send it as `Authorization: Bearer <OPSBOT_API_TOKEN>`"
)
LOCKED = "too many wrong API tokens from this address: try again later"
UNAVAILABLE = "the batch could not be queued: the database is unavailable; nothing was applied, send it again"
DB_RETRY_SECONDS = 5
MAX_KEY = 200
CHECKS_AT_ONCE = 2  # bodies checked in threads at the same time (the machine has few cores)


class TooLarge(Exception):
    pass


class StoreUnavailable(Exception):
    """The batch queue's database failed (logged with its traceback where it happened)."""


class PushApi:
    def __init__(
        self,
        *,
        token: str,
        max_body_bytes: int,
        queue: BatchQueue,
        clock: Clock,
        wake: Notifier,
        limits: RateLimits | None = None,
        failures_before_lock: int = 10,
        lock_seconds: int = 900,
    ) -> None:
        """`limits` counts wrong tokens per client address (default: in this process only)."""
        self._token = token
        self._max = max_body_bytes
        self._queue = queue
        self._clock = clock
        self._wake = wake
        self._checks = asyncio.Semaphore(CHECKS_AT_ONCE)
        self._limits = limits or RateLimits()
        self._failures = Limit("api-token-failures", failures_before_lock, lock_seconds)

    def routes(self) -> list[BaseRoute]:
        headers = security_headers()
        headers["Cache-Control"] = "no-store"
        return [
            Route("/api/v1/batches/{batch_id}", with_headers(self.batch, headers), methods=["GET"]),
            Route("/api/v1/{entity}", with_headers(self.push, headers), methods=["POST"]),
        ]

    async def _refuse(self, request: Request) -> Response | None:
        if not self._token:
            return error(DISABLED, 503)
        if any(name in request.query_params for name in QUERY_TOKENS):
            return error(IN_QUERY, 400)
        keys = (f"address:{client_address(request)}",)
        locked = await self._limits.exceeded(self._failures, keys)
        if locked:  # whatever the token: a right guess must not answer differently from a wrong one
            return too_many(LOCKED, locked)
        if not token_matches(bearer(request), self._token):
            logger.warning("push API: a wrong or missing token from %s", keys[0])
            await self._limits.hit(self._failures, keys)
            return error(
                "the API token is missing or wrong (Authorization: Bearer <OPSBOT_API_TOKEN>)",
                401,
                headers={"WWW-Authenticate": 'Bearer realm="opsbot"'},
            )
        return None

    async def batch(self, request: Request) -> Response:
        refused = await self._refuse(request)
        if refused is not None:
            return refused
        raw = request.path_params["batch_id"]
        try:
            found = await self._stored(self._queue.get(int(raw))) if raw.isdigit() and len(raw) < 18 else None
        except StoreUnavailable:
            return self._unavailable("the batch cannot be read: the database is unavailable; ask again")
        if found is None:
            return error(f"no batch {raw!r}", 404)
        return JSONResponse(found.as_json())

    async def push(self, request: Request) -> Response:
        try:
            return await self._push(request)
        except StoreUnavailable:
            return self._unavailable(UNAVAILABLE)

    async def _push(self, request: Request) -> Response:
        refused = await self._refuse(request)
        if refused is not None:
            return refused
        name = request.path_params["entity"]
        entity = BY_NAME.get(name)
        if entity is None:
            return error(f"no entity {name!r}: one of {', '.join(BY_NAME)}", 404)
        key_header = request.headers.get("idempotency-key")
        if key_header is not None and not (0 < len(key_header) <= MAX_KEY and key_header.isprintable()):
            return error(f"Idempotency-Key: 1 to {MAX_KEY} printable characters", 400)
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return error("Content-Length is not a number", 400)
            if int(length) > self._max:
                return self._too_large()
        try:
            body = await self._read(request)
        except TooLarge:
            return self._too_large()
        except ClientDisconnect:
            return error("the body ended early", 400)
        digest = hashlib.sha256(body).hexdigest()
        key = key_header or f"sha256:{digest}"
        earlier = await self._stored(self._queue.find(name, key))
        if earlier is not None:
            return self._replayed(earlier, digest, key_header is not None)
        content_type = request.headers.get("content-type", "")
        async with self._checks:
            try:
                checked = await asyncio.to_thread(check_body, entity, body, content_type)
            except BodyUnreadable as exc:
                return error(str(exc), 400)
        if not checked.ok:
            return error(
                f"{checked.error_count} row error(s): nothing was applied",
                422,
                errors=row_errors(checked.errors),
                error_count=checked.error_count,
            )
        batch, new = await self._stored(
            self._queue.enqueue(
                name, key, body_sha256=digest, rows=checked.rows, body=checked.jsonl(), now=self._clock()
            )
        )
        if not new:
            return self._replayed(batch, digest, key_header is not None)
        self._wake.notify()
        return self._accepted(batch)

    async def _read(self, request: Request) -> bytes:
        """The body, read until it is complete or past the limit (then the rest is not read)."""
        parts: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self._max:
                raise TooLarge
            parts.append(chunk)
        return b"".join(parts)

    async def _stored(self, work: Awaitable[T]) -> T:
        """The batch queue's answer; StoreUnavailable (traceback logged) when its database fails."""
        try:
            return await work
        except (SQLAlchemyError, OSError) as exc:
            logger.exception("push API: the batch queue's database failed")
            raise StoreUnavailable from exc

    def _unavailable(self, message: str) -> Response:
        return error(
            message, 503, headers={"Retry-After": str(DB_RETRY_SECONDS)}, retry_after=DB_RETRY_SECONDS
        )

    def _too_large(self) -> Response:
        return error(f"the body is larger than {self._max} bytes (api.max_body_bytes): send it in parts", 413)

    def _accepted(self, batch: Batch, **extra: Any) -> Response:
        return JSONResponse(
            {**batch.as_json(), **extra},
            status_code=202,
            headers={"Location": f"/api/v1/batches/{batch.id}"},
        )

    def _replayed(self, batch: Batch, digest: str, by_header: bool) -> Response:
        if by_header and batch.body_sha256 != digest:
            return error("this Idempotency-Key was used with another body", 409, batch_id=batch.id)
        response = self._accepted(batch, replayed=True)
        response.headers["Idempotent-Replayed"] = "true"
        return response

"""The small protocol every platform adapter implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from starlette.routing import BaseRoute

from dialogue.errors import OpsbotError
from dialogue.messages import Attachment, IncomingMessage, OutgoingMessage, Platform


@dataclass(frozen=True, slots=True)
class IngestResult:
    inbox_id: int | None
    duplicate: bool


# Writes a message to the inbox (durably) and returns; the adapter acks the platform after this.
Ingest = Callable[[IncomingMessage], Awaitable[IngestResult]]


@dataclass(frozen=True, slots=True)
class RejectedUpdate:
    """A request that carried no message we can use, kept for inspection (bodies are capped)."""

    platform: str
    reason: str  # "unparseable" | "unsupported" | "malformed" ...
    detail: str
    body: str


# Records a rejected update (a table row and a metric); the adapter then acknowledges the platform.
Reject = Callable[[RejectedUpdate], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FileContent:
    """A file's bytes, fetched from the platform it was sent on, ready to upload to another."""

    name: str
    mime_type: str
    data: bytes


class FileUnavailable(OpsbotError):
    """A file could not be fetched or delivered: too large, gone, or the platform answered a login page."""


@dataclass(frozen=True, slots=True)
class SendResult:
    platform_message_id: str = ""


class Adapter(Protocol):
    platform: Platform

    def routes(self) -> Sequence[BaseRoute]:
        """HTTP routes to mount on the shared ASGI app (webhooks)."""
        ...

    async def start(self) -> None:
        """Begin receiving (polling, socket mode); idempotent."""
        ...

    async def stop(self) -> None:
        """Stop receiving; idempotent. Sending still works until `close`."""
        ...

    async def close(self) -> None:
        """Release the clients used for sending (after the sends in hand are finished); idempotent."""
        ...

    async def send(self, message: OutgoingMessage, files: Sequence[FileContent] = ()) -> SendResult:
        """Deliver one message (with `files`, the fetched bytes of `message.files`), pacing for limits.

        Raises dialogue.errors.TransientDeliveryError (retry, optionally after retry_after seconds)
        or PermanentDeliveryError (blocked, channel gone); never retries on its own beyond pacing.
        """
        ...

    async def fetch_file(self, attachment: Attachment, *, max_bytes: int) -> FileContent:
        """Download a file a user sent on this platform; FileUnavailable when it is larger or gone."""
        ...

"""The small protocol every platform adapter implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from starlette.routing import BaseRoute

from dialogue.messages import IncomingMessage, OutgoingMessage, Platform


@dataclass(frozen=True, slots=True)
class IngestResult:
    inbox_id: int | None
    duplicate: bool


# Writes a message to the inbox (durably) and returns; the adapter acks the platform after this.
Ingest = Callable[[IncomingMessage], Awaitable[IngestResult]]


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
        """Stop receiving; idempotent."""
        ...

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Deliver one message, pacing for platform limits.

        Raises dialogue.errors.TransientDeliveryError (retry, optionally after retry_after seconds)
        or PermanentDeliveryError (blocked, channel gone); never retries on its own beyond pacing.
        """
        ...

"""The outbox sender: delivers queued messages through the adapters, retrying transient failures."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from adapters.base import FileContent, SendResult
from bot.config import PipelineSettings
from bot.delivery import Delivery, follow_migration
from bot.metrics import Metrics
from bot.notify import Notifier
from bot.storage.outbox import Delivered, Outbox, OutboxItem
from dialogue.clock import Sleep
from dialogue.errors import DeliveryError
from dialogue.messages import OutgoingMessage

logger = logging.getLogger(__name__)


class Deliverer(Protocol):
    """What the sender needs of an adapter: delivering one message (or raising a DeliveryError)."""

    async def send(self, message: OutgoingMessage, files: Sequence[FileContent] = ()) -> SendResult: ...


class GroupCommit:
    """Records deliveries as they come, several to a transaction when they come while one is written."""

    def __init__(self, record: Callable[[Sequence[Delivered]], Awaitable[None]]) -> None:
        self._record = record
        self._pending: list[Delivered] = []
        self._lock = asyncio.Lock()

    async def add(self, delivered: Delivered) -> None:
        """Return once `delivered` is recorded (by this call, or by one that took it along)."""
        self._pending.append(delivered)
        async with self._lock:
            if not self._pending:
                return  # written by the call that held the lock
            batch, self._pending = self._pending, []
            await self._record(batch)


class OutboxSender:
    def __init__(
        self,
        *,
        outbox: Outbox,
        adapters: Mapping[str, Deliverer],
        settings: PipelineSettings,
        metrics: Metrics,
        notifier: Notifier,
        delivery: Delivery | None = None,
        sleep: Sleep = asyncio.sleep,
        holder: str = "",
    ) -> None:
        self._outbox = outbox
        self._adapters = adapters
        self._settings = settings
        self._metrics = metrics
        self._notifier = notifier
        self._delivery = delivery
        self._sleep = sleep
        self._lease = settings.send_lease_seconds
        self._holder = holder

    def backoff(self, attempts: int) -> float:
        base = self._settings.send_backoff_base_seconds * (2 ** max(0, attempts - 1))
        return float(min(self._settings.send_backoff_max_seconds, base * (0.8 + 0.4 * random.random())))

    async def run_once(self) -> int:
        """Send a batch of due rows at once; each delivery is recorded as soon as it is made.

        Deliveries that complete while a record is being written are written together next (group
        commit), so a busy batch takes few transactions, and a crash can double only the sends still
        in flight: one that the platform accepted is recorded a transaction later, not when the
        batch's slowest send (one paced behind another to the same chat) is done.
        """
        items = await self._outbox.claim(self._settings.sender_batch, self._lease, self._holder)
        if items:
            recorder = GroupCommit(self._record)

            async def deliver(item: OutboxItem) -> None:
                delivered = await self._attempt(item)
                if delivered is not None:
                    await recorder.add(delivered)

            await asyncio.gather(*(deliver(item) for item in items))
        return len(items)

    async def deliver_now(self, outbox_id: int) -> bool:
        """Send one queued row right away (a scheduled message); False when it was not due."""
        item = await self._outbox.claim_one(outbox_id, self._lease, self._holder)
        if item is None:
            return False
        await self.send(item)
        return True

    async def send(self, item: OutboxItem) -> None:
        """Deliver one claimed row and record the result; never raises for a delivery failure."""
        delivered = await self._attempt(item)
        if delivered is not None:
            await self._record([delivered])

    async def _record(self, delivered: Sequence[Delivered]) -> None:
        await self._outbox.mark_sent_many(delivered)
        for done in delivered:
            self._metrics.messages_out.labels(done.item.platform, "sent").inc()
        if any(done.follow_ups for done in delivered):
            self._notifier.notify()

    async def _attempt(self, item: OutboxItem) -> Delivered | None:
        """Deliver one row; a failure is recorded here (retry or failed), a success returned to record."""
        adapter = self._adapters.get(item.platform)
        extra = {"conversation": item.message.conversation.as_str(), "outbox_id": item.id}
        if adapter is None:
            await self._outbox.mark_failed(item, f"no adapter for platform {item.platform!r}", blocked=False)
            self._metrics.messages_out.labels(item.platform, "failed").inc()
            logger.error("outbox %s: no adapter for %s", item.id, item.platform, extra=extra)
            return None
        try:
            message = item.message
            files: tuple[FileContent, ...] = ()
            follow_ups: tuple[OutgoingMessage, ...] = ()
            if self._delivery is not None:
                prepared = await self._delivery.prepare(item.message)
                message, files, follow_ups = prepared.message, prepared.files, prepared.follow_ups
            message, result = await self._send(adapter, message, files, extra)
        except DeliveryError as exc:
            await self._delivery_failed(item, exc, extra)
            return None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an adapter bug: treat as transient, keep the row
            attempts = item.attempts + 1
            logger.exception("outbox %s: unexpected send error", item.id, extra=extra)
            if attempts >= self._settings.send_max_attempts:
                await self._outbox.mark_failed(item, f"{type(exc).__name__}: {exc}", blocked=False)
            else:
                await self._outbox.mark_retry(item, f"{type(exc).__name__}: {exc}", self.backoff(attempts))
            return None
        if self._delivery is not None:
            follow_ups = (
                *follow_ups,
                *await self._delivery.after_sent(item, message, result.platform_message_id),
            )
        return Delivered(item, result.platform_message_id, follow_ups)

    @staticmethod
    async def _send(
        adapter: Deliverer, message: OutgoingMessage, files: Sequence[FileContent], extra: dict[str, object]
    ) -> tuple[OutgoingMessage, SendResult]:
        """Send once; a migrated group gets it at its new chat id, once. (What was sent, the result.)"""
        try:
            return message, await (adapter.send(message, files) if files else adapter.send(message))
        except DeliveryError as exc:
            moved = follow_migration(message, exc)
            if moved is None:
                raise
        logger.warning(
            "%s moved to chat %s; sending there",
            message.conversation.as_str(),
            moved.conversation.chat_id,
            extra=extra,
        )
        return moved, await (adapter.send(moved, files) if files else adapter.send(moved))

    async def _delivery_failed(self, item: OutboxItem, exc: DeliveryError, extra: dict[str, object]) -> None:
        attempts = item.attempts + 1
        final = exc.permanent or attempts >= self._settings.send_max_attempts
        follow_ups = (
            self._delivery.after_failure(item, exc, final=final) if self._delivery is not None else ()
        )
        if final:
            await self._outbox.mark_failed(item, exc.reason, blocked=exc.permanent, follow_ups=follow_ups)
            self._metrics.messages_out.labels(item.platform, "failed").inc()
            logger.warning("outbox %s failed permanently: %s", item.id, exc.reason, extra=extra)
        else:
            delay = exc.retry_after if exc.retry_after is not None else self.backoff(attempts)
            await self._outbox.mark_retry(item, exc.reason, delay, follow_ups=follow_ups)
            self._metrics.messages_out.labels(item.platform, "retry").inc()
            logger.info(
                "outbox %s: transient error %s; retry in %.1fs", item.id, exc.reason, delay, extra=extra
            )
        if follow_ups:
            self._notifier.notify()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                count = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("outbox sender: claim failed")
                count = 0
                await self._sleep(1.0)
            if not count:
                await self._notifier.wait(self._settings.poll_interval_seconds)

"""Workers (inbox -> dialogue -> outbox) and the outbox sender."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping
from typing import Protocol

from adapters.base import Adapter, IngestResult
from bot.config import PipelineSettings
from bot.metrics import Metrics
from bot.notify import Notifier
from bot.storage.pipeline import Claim, LeaseLost, OutboxItem, PipelineStore
from dialogue.backend import Accounts
from dialogue.clock import Clock
from dialogue.errors import DeliveryError
from dialogue.messages import IncomingMessage, OutgoingMessage
from dialogue.session import Session

logger = logging.getLogger(__name__)

_DEAD_LETTER_TEXT = {
    "en": (
        "Sorry, something went wrong while handling your message. "
        "Our team has been notified and will follow up."
    ),
    "zh": "抱歉，处理您的消息时出现问题。我们的团队已收到通知，会尽快跟进。",
}


class Handler(Protocol):
    async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]: ...


class Ingestor:
    """What adapters call: persist first, then wake the workers."""

    def __init__(self, store: PipelineStore, notifier: Notifier, metrics: Metrics) -> None:
        self._store = store
        self._notifier = notifier
        self._metrics = metrics

    async def __call__(self, message: IncomingMessage) -> IngestResult:
        result = await self._store.enqueue(message)
        platform = message.platform.value
        if result.duplicate:
            self._metrics.duplicates.labels(platform).inc()
            logger.info("duplicate delivery %s:%s acknowledged", platform, message.external_id)
        else:
            self._metrics.messages_in.labels(platform).inc()
            self._notifier.notify()
        return result


class Worker:
    def __init__(
        self,
        *,
        store: PipelineStore,
        handler: Handler,
        accounts: Accounts,
        settings: PipelineSettings,
        metrics: Metrics,
        clock: Clock,
        inbox_notifier: Notifier,
        done_notifier: Notifier,
        outbox_notifier: Notifier,
        name: str = "worker",
    ) -> None:
        self._store = store
        self._handler = handler
        self._accounts = accounts
        self._settings = settings
        self._metrics = metrics
        self._clock = clock
        self._inbox = inbox_notifier
        self._done = done_notifier
        self._outbox = outbox_notifier
        self.name = name

    async def run_once(self) -> bool:
        """Claim and process one message. Returns False when nothing was due."""
        claim = await self._store.claim_next(self._settings.lease_seconds)
        if claim is None:
            return False
        await self.process(claim)
        return True

    async def process(self, claim: Claim) -> None:
        msg = claim.message
        platform = msg.platform.value
        extra = {"conversation": msg.conversation.as_str(), "inbox_id": claim.inbox_id}
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            session = await self._store.load_session(msg.conversation, msg.sender.id)
            linked = await self._accounts.linked_supplier(platform, msg.sender.id)
            session.supplier_id = linked or msg.supplier_id
            replies = await self._handler.handle(msg, session)
            for record in session.records:
                if record.kind == "user" and record.intent:
                    self._metrics.intents.labels(record.intent).inc()
                if record.used_fallback and record.outcome:
                    self._metrics.nlg_fallbacks.labels(record.outcome).inc()
            await self._store.complete(claim, session, replies, platform=platform)
        except LeaseLost:
            logger.warning("lease lost on inbox %s; another worker owns it", claim.inbox_id, extra=extra)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._metrics.processing_errors.labels(platform).inc()
            logger.exception(
                "processing inbox %s failed (attempt %s)", claim.inbox_id, claim.attempts, extra=extra
            )
            backoff = min(60.0, 2.0 ** (claim.attempts - 1))
            dead = await self._store.fail(
                claim,
                f"{type(exc).__name__}: {exc}",
                max_attempts=self._settings.max_attempts,
                retry_in=backoff,
            )
            if dead:
                self._metrics.dead_letters.labels(platform).inc()
                lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in msg.text) else "en"
                await self._store.add_outgoing(
                    OutgoingMessage(
                        msg.conversation, _DEAD_LETTER_TEXT[lang], reply_to=msg.message_id, kind="error"
                    ),
                    inbox_id=claim.inbox_id,
                )
                self._done.notify()
                self._outbox.notify()
            return
        self._metrics.processing_seconds.labels(platform).observe(loop.time() - started)
        self._done.notify()
        self._outbox.notify()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("%s: claim failed; backing off", self.name)
                busy = False
                await asyncio.sleep(1.0)
            if not busy:
                await self._inbox.wait(self._settings.poll_interval_seconds)


class OutboxSender:
    def __init__(
        self,
        *,
        store: PipelineStore,
        adapters: Mapping[str, Adapter],
        settings: PipelineSettings,
        metrics: Metrics,
        notifier: Notifier,
        lease_seconds: float = 120.0,
    ) -> None:
        self._store = store
        self._adapters = adapters
        self._settings = settings
        self._metrics = metrics
        self._notifier = notifier
        self._lease = lease_seconds

    def backoff(self, attempts: int) -> float:
        base = self._settings.send_backoff_base_seconds * (2 ** max(0, attempts - 1))
        return float(min(self._settings.send_backoff_max_seconds, base * (0.8 + 0.4 * random.random())))

    async def run_once(self) -> int:
        items = await self._store.claim_outbox(self._settings.sender_batch, self._lease)
        if items:
            await asyncio.gather(*(self._send(item) for item in items))
        return len(items)

    async def _send(self, item: OutboxItem) -> None:
        adapter = self._adapters.get(item.platform)
        extra = {"conversation": item.message.conversation.as_str(), "outbox_id": item.id}
        if adapter is None:
            await self._store.mark_failed(item, f"no adapter for platform {item.platform!r}", blocked=False)
            self._metrics.messages_out.labels(item.platform, "failed").inc()
            logger.error("outbox %s: no adapter for %s", item.id, item.platform, extra=extra)
            return
        try:
            result = await adapter.send(item.message)
        except DeliveryError as exc:
            attempts = item.attempts + 1
            if exc.permanent or attempts >= self._settings.send_max_attempts:
                await self._store.mark_failed(item, exc.reason, blocked=exc.permanent)
                self._metrics.messages_out.labels(item.platform, "failed").inc()
                logger.warning("outbox %s failed permanently: %s", item.id, exc.reason, extra=extra)
            else:
                delay = exc.retry_after if exc.retry_after is not None else self.backoff(attempts)
                await self._store.mark_retry(item, exc.reason, delay)
                self._metrics.messages_out.labels(item.platform, "retry").inc()
                logger.info(
                    "outbox %s: transient error %s; retry in %.1fs", item.id, exc.reason, delay, extra=extra
                )
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an adapter bug: treat as transient, keep the row
            attempts = item.attempts + 1
            logger.exception("outbox %s: unexpected send error", item.id, extra=extra)
            if attempts >= self._settings.send_max_attempts:
                await self._store.mark_failed(item, f"{type(exc).__name__}: {exc}", blocked=False)
            else:
                await self._store.mark_retry(item, f"{type(exc).__name__}: {exc}", self.backoff(attempts))
            return
        await self._store.mark_sent(item, result.platform_message_id)
        self._metrics.messages_out.labels(item.platform, "sent").inc()

    async def run(self, stop: asyncio.Event, retry_seconds: float = 1.0) -> None:
        while not stop.is_set():
            try:
                count = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("outbox sender: claim failed")
                count = 0
                await asyncio.sleep(1.0)
            if not count:
                await self._notifier.wait(min(retry_seconds, self._settings.poll_interval_seconds))


async def cancel_tasks(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

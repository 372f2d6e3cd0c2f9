"""Workers: claim a message from the inbox, run the dialogue turn, commit what it produced."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from bot.config import PipelineSettings
from bot.metrics import Metrics
from bot.notify import DoneBoard, Notifier
from bot.storage.inbox import Claim
from bot.storage.store import PipelineStore
from dialogue.clock import Clock, Sleep
from dialogue.errors import OpsbotError
from dialogue.language import language_of
from dialogue.messages import IncomingMessage, OutgoingMessage
from dialogue.session import Session

logger = logging.getLogger(__name__)

# Turns of a batch that end within this commit together (one transaction); a slower one commits alone
# when it ends. Every turn without a language model ends well within it on the load benchmark.
BATCH_WAIT_SECONDS = 1.0

_DEAD_LETTER_TEXT = {
    "en": (
        "Sorry, something went wrong while handling your message. "
        "Our team has been notified and will follow up."
    ),
    "zh": "抱歉，处理您的消息时出现问题。我们的团队已收到通知，会尽快跟进。",
}


class Handler(Protocol):
    async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]: ...


class Worker:
    def __init__(
        self,
        *,
        store: PipelineStore,
        handler: Handler,
        settings: PipelineSettings,
        metrics: Metrics,
        clock: Clock,
        inbox_notifier: Notifier,
        done_notifier: DoneBoard,
        outbox_notifier: Notifier,
        sleep: Sleep = asyncio.sleep,
        default_language: str = "en",
        holder: str = "",
        name: str = "worker",
    ) -> None:
        self._store = store
        self._handler = handler
        self._settings = settings
        self._metrics = metrics
        self._clock = clock
        self._inbox = inbox_notifier
        self._done = done_notifier
        self._outbox = outbox_notifier
        self._sleep = sleep
        self._default_language = default_language
        self._holder = holder
        self.name = name
        self._in_hand = 0

    @property
    def busy(self) -> bool:
        """Turns are in hand (claimed and not yet committed)."""
        return self._in_hand > 0

    async def run_once(self) -> bool:
        """Claim a batch of conversation heads and run their turns together. False when nothing was due."""
        claims = await self._store.inbox.claim_batch(
            self._settings.batch_size, self._settings.lease_seconds, self._holder
        )
        if not claims:
            return False
        await self.process_batch(claims)
        return True

    async def process(self, claim: Claim) -> None:
        await self.process_batch([claim])

    async def process_batch(self, claims: Sequence[Claim]) -> None:
        """Run the claimed turns concurrently (so the models batch), then commit what they produced.

        Turns that finish within `BATCH_WAIT_SECONDS` commit together; a turn still running then (one
        waiting on a slow language model, say) commits on its own when it ends, so it never holds the
        others' replies back by more than that."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        heartbeat = asyncio.create_task(self._heartbeat(claims), name=f"{self.name}-heartbeat")
        self._in_hand += len(claims)
        try:
            wanted = [(c.message.conversation, c.message.sender.id) for c in claims]
            sessions = await self._store.sessions.load_many(wanted)
            turns = {
                asyncio.ensure_future(self._turn(c, s)): (c, s) for c, s in zip(claims, sessions, strict=True)
            }
            pending: set[asyncio.Future[list[OutgoingMessage] | Exception]] = set(turns)
            wait = BATCH_WAIT_SECONDS
            try:
                while pending:
                    done, pending = await asyncio.wait(
                        pending, timeout=wait, return_when=asyncio.ALL_COMPLETED
                    )
                    if not done:
                        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    wait = 0.0  # after the first wave: each turn as it ends
                    ordered = [t for t in turns if t in done]  # claim order
                    await self._commit([(*turns[t], t.result()) for t in ordered], started)
            finally:
                for task in pending:
                    task.cancel()
        finally:
            self._in_hand -= len(claims)
            heartbeat.cancel()

    async def _commit(
        self,
        wave: Sequence[tuple[Claim, Session, list[OutgoingMessage] | Exception]],
        started: float,
    ) -> None:
        """Commit the finished turns of a wave in one go, record the failed ones, and wake the sender."""
        loop = asyncio.get_running_loop()
        finished = [(c, s, r) for c, s, r in wave if not isinstance(r, Exception)]
        committed = await self._store.turns.complete_many(finished, origin=self._holder) if finished else []
        for (claim, _session, _replies), queued in zip(finished, committed, strict=True):
            if queued is not None:
                self._metrics.processing_seconds.labels(claim.message.platform.value).observe(
                    loop.time() - started
                )
            else:
                logger.warning(
                    "inbox %s: lease lost or conversation changed; it will be processed again",
                    claim.inbox_id,
                    extra={"conversation": claim.message.conversation.as_str(), "inbox_id": claim.inbox_id},
                )
        for claim, _session, result in wave:
            if isinstance(result, Exception):
                extra = {"conversation": claim.message.conversation.as_str(), "inbox_id": claim.inbox_id}
                await self._failed(claim, result, extra)
        done = {
            claim.inbox_id: queued
            for (claim, _s, _r), queued in zip(finished, committed, strict=True)
            if queued is not None
        }
        self._done.notify(done, replies=done)
        self._outbox.notify()

    async def _turn(self, claim: Claim, session: Session) -> list[OutgoingMessage] | Exception:
        """One dialogue turn; an exception is returned (and logged later), so the others still commit."""
        try:
            replies = await self._handler.handle(claim.message, session)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return exc
        for record in session.records:
            if record.kind == "user" and record.intent:
                self._metrics.intents.labels(record.intent).inc()
            if record.used_fallback and record.outcome:
                self._metrics.nlg_fallbacks.labels(record.outcome).inc()
        return replies

    async def _heartbeat(self, claims: Sequence[Claim]) -> None:
        """Renew the batch's leases while its turns run, so a slow turn is not taken over."""
        every = self._settings.lease_seconds / 3
        while True:
            await asyncio.sleep(every)
            try:
                await self._store.inbox.renew(claims, self._settings.lease_seconds)
            except Exception:
                logger.warning("%s: renewing leases failed", self.name, exc_info=True)

    async def _failed(self, claim: Claim, exc: Exception, extra: dict[str, object]) -> None:
        """Log the traceback for the operator; retry later, or tell the user once it is given up."""
        msg = claim.message
        platform = msg.platform.value
        self._metrics.processing_errors.labels(platform).inc()
        logger.exception(
            "processing inbox %s failed (attempt %s)", claim.inbox_id, claim.attempts, extra=extra
        )
        kind = "expected" if isinstance(exc, OpsbotError) else "unexpected"
        dead = await self._store.inbox.fail(
            claim,
            f"{type(exc).__name__} ({kind}): {exc}",
            max_attempts=self._settings.max_attempts,
            retry_in=min(60.0, 2.0 ** (claim.attempts - 1)),
        )
        if not dead:
            return
        self._metrics.dead_letters.labels(platform).inc()
        language = language_of(msg.text, default=self._default_language)
        notice = OutgoingMessage(
            msg.conversation, _DEAD_LETTER_TEXT[language], reply_to=msg.message_id, kind="error"
        )
        await self._store.outbox.add(notice, inbox_id=claim.inbox_id)
        self._done.notify([claim.inbox_id])
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
                await self._sleep(1.0)
            if not busy:
                await self._inbox.wait(self._settings.poll_interval_seconds)

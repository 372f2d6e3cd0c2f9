"""Workers: claim a message from the inbox, run the dialogue turn, commit what it produced."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from dialogue.language import language_of

from bot.config import PipelineSettings
from bot.metrics import Metrics
from bot.notify import Notifier
from bot.storage.inbox import Claim
from bot.storage.sessions import LeaseLost
from bot.storage.store import PipelineStore
from dialogue.clock import Clock, Sleep
from dialogue.errors import OpsbotError
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
        done_notifier: Notifier,
        outbox_notifier: Notifier,
        sleep: Sleep = asyncio.sleep,
        default_language: str = "en",
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
        self.name = name

    async def run_once(self) -> bool:
        """Claim and process one message. Returns False when nothing was due."""
        claim = await self._store.inbox.claim_next(self._settings.lease_seconds)
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
            session = await self._store.sessions.load(msg.conversation, msg.sender.id)
            replies = await self._handler.handle(msg, session)
            for record in session.records:
                if record.kind == "user" and record.intent:
                    self._metrics.intents.labels(record.intent).inc()
                if record.used_fallback and record.outcome:
                    self._metrics.nlg_fallbacks.labels(record.outcome).inc()
            await self._store.turns.complete(claim, session, replies)
        except LeaseLost:
            logger.warning("lease lost on inbox %s; another worker owns it", claim.inbox_id, extra=extra)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._failed(claim, exc, extra)
            return
        self._metrics.processing_seconds.labels(platform).observe(loop.time() - started)
        self._done.notify()
        self._outbox.notify()

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
                await self._sleep(1.0)
            if not busy:
                await self._inbox.wait(self._settings.poll_interval_seconds)

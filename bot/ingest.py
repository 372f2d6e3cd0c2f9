"""What adapters call with each incoming message: store it durably, then wake the workers."""

from __future__ import annotations

import logging

from adapters.base import IngestResult
from bot.metrics import Metrics
from bot.notify import Notifier
from bot.storage.inbox import Inbox
from dialogue.messages import IncomingMessage

logger = logging.getLogger(__name__)


class Ingestor:
    def __init__(self, inbox: Inbox, *, notifier: Notifier, metrics: Metrics) -> None:
        self._inbox = inbox
        self._notifier = notifier
        self._metrics = metrics

    async def __call__(self, message: IncomingMessage) -> IngestResult:
        result = await self._inbox.enqueue(message)
        platform = message.platform.value
        if result.duplicate:
            self._metrics.duplicates.labels(platform).inc()
            logger.info("duplicate delivery %s:%s acknowledged", platform, message.external_id)
        else:
            self._metrics.messages_in.labels(platform).inc()
            self._notifier.notify()
        return result

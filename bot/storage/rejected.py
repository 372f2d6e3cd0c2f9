"""Updates that carried nothing usable, kept for inspection and counted."""

from __future__ import annotations

import logging

from adapters.base import RejectedUpdate
from bot.metrics import Metrics
from bot.storage.dialect import Sessionmaker
from bot.storage.tables import RejectedUpdateRow
from dialogue.clock import Clock

logger = logging.getLogger(__name__)


class RejectedUpdates:
    def __init__(self, sessionmaker: Sessionmaker, *, clock: Clock, metrics: Metrics) -> None:
        self._sm = sessionmaker
        self._clock = clock
        self._metrics = metrics

    async def __call__(self, update: RejectedUpdate) -> None:
        """Record one rejected update (the adapter acknowledges the platform either way)."""
        self._metrics.rejected_updates.labels(update.platform, update.reason).inc()
        async with self._sm.begin() as s:
            s.add(
                RejectedUpdateRow(
                    platform=update.platform,
                    reason=update.reason[:64],
                    detail=update.detail[:2000],
                    body=update.body[:8000],
                    received_at=self._clock(),
                )
            )

"""The worker that applies pushed batches: one at a time, in order, each in one transaction.

A batch goes through `opsbot import`'s own run (`bot.dataio.importer.run_import`) on a synchronous
engine, in a thread, so the event loop keeps serving the chat while rows are checked and written: the
references are checked against the store as it is now, and on any error nothing is applied and the
batch is `rejected` with the row errors.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.api.batches import APPLIED, FAILED, REJECTED, Batch, BatchQueue
from bot.dataio.apply import sync_engine
from bot.dataio.importer import run_import
from bot.dataio.validate import RowError
from bot.notifications.settings import NotificationSettings
from bot.notify import Notifier
from dialogue.clock import Clock

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # batches pushed to another process (the web role) are found within this


async def _either(stop: asyncio.Event, wake: Awaitable[None]) -> None:
    """Until `stop` is set or `wake` returns."""
    stopped = asyncio.ensure_future(stop.wait())
    woken = asyncio.ensure_future(wake)
    await asyncio.wait((stopped, woken), return_when=asyncio.FIRST_COMPLETED)
    for task in (stopped, woken):
        task.cancel()


def row_errors(errors: list[RowError]) -> list[dict[str, Any]]:
    return [{"row": e.row, "field": e.field, "reason": e.reason} for e in errors]


class BatchApplier:
    def __init__(
        self,
        *,
        queue: BatchQueue,
        engine: AsyncEngine,
        clock: Clock,
        wake: Notifier,
        on_applied: Callable[[], Awaitable[None]] | None = None,
        notifications: NotificationSettings | None = None,
    ) -> None:
        self._queue = queue
        self._engine = engine
        self._clock = clock
        self._wake = wake
        self._on_applied = on_applied
        self._notifications = notifications
        self._search_path: str | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Apply batches until `stop`; woken by a push in this process, else polling."""
        while not stop.is_set():
            try:
                worked = await self.apply_next()
            except Exception:
                logger.exception("applying a pushed batch failed")
                worked = False
            if not worked:
                await _either(stop, self._wake.wait(POLL_SECONDS))

    async def apply_next(self) -> bool:
        """Apply the oldest queued batch; False when there was none to take."""
        claimed = await self._queue.claim(self._clock())
        if claimed is None:
            return False
        batch, body = claimed
        engine = await self._sync_engine()
        try:
            status, result = await asyncio.to_thread(self._apply, engine, batch, body)
        except Exception as exc:
            logger.exception("pushed batch %s (%s) could not be applied", batch.id, batch.entity)
            status, result = FAILED, {"error": f"the batch could not be applied: {type(exc).__name__}"}
        await self._queue.finish(batch.id, status, result, self._clock())
        if status == APPLIED and self._on_applied is not None:
            await self._on_applied()
        return True

    def _apply(self, engine: Engine, batch: Batch, body: str) -> tuple[str, dict[str, Any]]:
        """In a thread: the batch as a file `{entity}.jsonl`, imported; the engine is disposed after."""
        try:
            with tempfile.TemporaryDirectory(prefix="opsbot-push-") as folder:
                path = Path(folder) / f"{batch.entity}.jsonl"
                path.write_text(body, encoding="ascii")
                report = run_import(
                    engine,
                    path,
                    now=self._clock(),
                    notifications=self._notifications,
                    source=f"api batch {batch.id}",
                )
        finally:
            engine.dispose()
        if not report.validation.ok:
            return REJECTED, {
                "errors": row_errors(report.errors),
                "error_count": report.validation.error_count,
            }
        counts = report.counts.get(batch.entity)
        return APPLIED, {"counts": counts.as_dict() if counts else {}, "notified": report.notified}

    async def _sync_engine(self) -> Engine:
        """A synchronous engine on the same database (and PostgreSQL schema) as the application's."""
        if self._search_path is None:
            self._search_path = ""
            if self._engine.dialect.name == "postgresql":  # the schema the async engine works in (tests)
                async with self._engine.connect() as conn:
                    self._search_path = str((await conn.execute(text("SHOW search_path"))).scalar_one())
        url = self._engine.url.render_as_string(hide_password=False)
        return sync_engine(url, search_path=self._search_path or None)

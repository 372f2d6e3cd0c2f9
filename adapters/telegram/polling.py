"""Long polling: getUpdates in a loop; the offset moves past an update only after it is stored."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from adapters.telegram.client import retry_after_seconds
from adapters.telegram.inbound import ALLOWED_UPDATES, MalformedUpdate

logger = logging.getLogger(__name__)

# Stores one update durably (raising when it could not); MalformedUpdate means "skip it".
StoreUpdate = Callable[[Update, Mapping[str, Any]], Awaitable[object]]

_MAX_BACKOFF_SECONDS = 60.0


class Poller:
    """The getUpdates loop of one bot: in order, never skipping an update that failed to store."""

    def __init__(
        self,
        *,
        bot: Bot,
        store: StoreUpdate,
        timeout_seconds: int,
        retry_seconds: float,
        drain_timeout_seconds: float,
    ) -> None:
        self._bot = bot
        self._store = store
        self._timeout = timeout_seconds
        self._retry = retry_seconds
        self._drain_timeout = drain_timeout_seconds
        self._task: asyncio.Task[None] | None = None
        self._in_request = False
        self._stopping = asyncio.Event()
        self._offset: int | None = None

    async def start(self) -> None:
        """Delete any webhook (getUpdates is refused while one is set; pending updates stay), then poll."""
        if self._task is not None:
            return
        self._stopping = asyncio.Event()
        try:
            await self._bot.delete_webhook(drop_pending_updates=False)
        except TelegramError as exc:
            logger.warning("telegram: deleteWebhook failed at start (%s); polling will retry", exc)
        self._task = asyncio.create_task(self._loop(), name="telegram-polling")

    async def stop(self) -> None:
        """Finish the update being stored (up to the drain timeout), then confirm the offset."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is None:
            return
        if self._in_request:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError, Exception):
            await asyncio.wait_for(asyncio.shield(task), timeout=self._drain_timeout)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._confirm_offset()

    async def _loop(self) -> None:
        delay = self._retry
        while not self._stopping.is_set():
            try:
                self._in_request = True
                updates = await self._bot.get_updates(
                    offset=self._offset, timeout=self._timeout, allowed_updates=list(ALLOWED_UPDATES)
                )
            except RetryAfter as exc:
                await self._pause(retry_after_seconds(exc))
                continue
            except InvalidToken:
                logger.error("telegram polling: the bot token was rejected; polling stopped")
                return
            except Conflict as exc:
                logger.warning("telegram polling: %s (is a webhook set or another poller running?)", exc)
                await self._pause(delay)
                delay = min(delay * 2, _MAX_BACKOFF_SECONDS)
                continue
            except TelegramError as exc:
                logger.warning("telegram polling: getUpdates failed: %s", exc)
                await self._pause(delay)
                delay = min(delay * 2, _MAX_BACKOFF_SECONDS)
                continue
            finally:
                self._in_request = False
            delay = self._retry
            for update in updates:
                if self._stopping.is_set() or not await self._store_one(update):
                    return
                self._offset = update.update_id + 1

    async def _store_one(self, update: Update) -> bool:
        """Store one polled update, retrying until it is stored; False when stopping first."""
        delay = self._retry
        while True:
            try:
                await self._store(update, update.to_dict())
                return True
            except MalformedUpdate as exc:
                logger.warning("telegram polling: update %s skipped: %s", update.update_id, exc)
                return True
            except Exception:
                logger.exception(
                    "telegram polling: update %s could not be stored; retrying", update.update_id
                )
            if self._stopping.is_set():
                return False
            await self._pause(delay)
            delay = min(delay * 2, _MAX_BACKOFF_SECONDS)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=max(0.0, seconds))

    async def _confirm_offset(self) -> None:
        """Tell Telegram the stored updates are done, so a restart does not fetch them again."""
        if self._offset is None:
            return
        with contextlib.suppress(Exception):
            await self._bot.get_updates(offset=self._offset, timeout=0, allowed_updates=list(ALLOWED_UPDATES))

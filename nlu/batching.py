"""The one async micro-batcher: concurrent callers share one call of a blocking batch function.

The NLU encoder and parser batch through it, and so does the reply model (dialogue.nlg), which may
import nlu but not the other way round.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from nlu.errors import NluError

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class BatchStats:
    """Counters for observability and tests."""

    batches: int = 0
    items: int = 0
    sizes: list[int] = field(default_factory=list)

    @property
    def texts(self) -> int:
        return self.items


@dataclass(slots=True)
class _Pending(Generic[T, R]):
    items: list[T]
    future: asyncio.Future[list[R]]


class MicroBatcher(Generic[T, R]):
    """Runs `fn(items) -> results` (blocking, one result per item) in a worker thread, batching callers.

    When the worker is idle, a batch starts at the end of the current event-loop tick, so a lone
    caller pays no wait and callers of the same tick share the call. While a batch is running, new
    callers wait at most `max_wait_ms` (or until `max_size` items are queued) to form the next one.
    With `dedupe`, identical items of a batch are computed once (items must then be hashable).
    """

    def __init__(
        self,
        fn: Callable[[list[T]], Sequence[R]] | Callable[[list[T]], Any],
        *,
        max_wait_ms: float = 4.0,
        max_size: int = 64,
        executor: Executor | None = None,
        thread_name: str = "nlu-batch",
        dedupe: bool = False,
    ) -> None:
        if max_size < 1:
            raise NluError("batch_max_size must be >= 1")
        self._dedupe = dedupe
        self._fn = fn
        self._max_wait = max(0.0, max_wait_ms) / 1000.0
        self._max_size = max_size
        self._executor = executor
        self._owns_executor = executor is None
        self._thread_name = thread_name
        self._queue: list[_Pending[T, R]] = []
        self._queued = 0
        self._flush_handle: asyncio.Handle | None = None
        self._running: set[asyncio.Task[None]] = set()
        self.stats = BatchStats()

    @property
    def batch_sizes(self) -> list[int]:
        """How many items each call of the batch function got (after dedupe), in order."""
        return self.stats.sizes

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self._thread_name)
        return self._executor

    async def submit_many(self, items: Sequence[T]) -> list[R]:
        if not items:
            return []
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[R]] = loop.create_future()
        self._queue.append(_Pending(list(items), future))
        self._queued += len(items)
        if self._queued >= self._max_size or self._max_wait == 0:
            self._flush_now(loop)
        elif self._flush_handle is None:
            if self._running:
                self._flush_handle = loop.call_later(self._max_wait, self._flush_now, loop)
            else:
                self._flush_handle = loop.call_soon(self._flush_now, loop)
        return await future

    async def submit(self, item: T) -> R:
        return (await self.submit_many([item]))[0]

    def _flush_now(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if not self._queue:
            return
        batch, self._queue, self._queued = self._queue, [], 0
        task = loop.create_task(self._run_batch(batch))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run_batch(self, batch: list[_Pending[T, R]]) -> None:
        items = [item for pending in batch for item in pending.items]
        unique = list(dict.fromkeys(items)) if self._dedupe else items
        self.stats.batches += 1
        self.stats.items += len(items)
        self.stats.sizes.append(len(unique))
        started = time.perf_counter()
        try:
            results = await asyncio.get_running_loop().run_in_executor(self.executor, self._fn, unique)
            if len(results) != len(unique):
                raise NluError(f"batch function returned {len(results)} results for {len(unique)} items")
            if self._dedupe:
                by_item = dict(zip(unique, results, strict=True))
                results = [by_item[item] for item in items]
        except Exception as exc:  # handed to every waiting caller
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(exc)
            return
        logger.debug("batch of %d in %.1f ms", len(items), 1000 * (time.perf_counter() - started))
        offset = 0
        for pending in batch:
            n = len(pending.items)
            if not pending.future.done():
                pending.future.set_result(list(results[offset : offset + n]))
            offset += n

    async def aclose(self) -> None:
        """Flush anything queued, wait for running batches, and stop the owned thread."""
        if self._queue:
            self._flush_now(asyncio.get_running_loop())
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        if self._owns_executor and self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

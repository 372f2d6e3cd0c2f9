"""An async micro-batcher: concurrent requests share one blocking generate() call in an executor."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor

from dialogue.errors import ReplyModelError

log = logging.getLogger(__name__)

BatchFn = Callable[[Sequence[str]], list[str]]


class MicroBatcher:
    """Collects requests for up to `max_wait_ms` (or `max_size` of them) and runs them as one batch.

    One batch runs at a time; requests that arrive meanwhile form the next batch. Identical inputs
    within a batch are generated once. `batch_sizes` records the size of every call, for metrics.
    """

    def __init__(
        self,
        fn: BatchFn,
        *,
        max_wait_ms: float = 5.0,
        max_size: int = 32,
        executor: Executor | None = None,
    ) -> None:
        if max_size < 1 or max_wait_ms < 0:
            raise ReplyModelError("max_size must be >= 1 and max_wait_ms >= 0")
        self._fn = fn
        self._max_wait = max_wait_ms / 1000.0
        self._max_size = max_size
        self._executor = executor
        self._queue: asyncio.Queue[tuple[str, asyncio.Future[str]]] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.batch_sizes: list[int] = []

    async def submit(self, item: str) -> str:
        loop = asyncio.get_running_loop()
        if self._worker is None or self._worker.done() or self._loop is not loop:
            self._loop = loop
            self._queue = asyncio.Queue()
            self._worker = loop.create_task(self._run(), name="nlg-micro-batcher")
        assert self._queue is not None
        future: asyncio.Future[str] = loop.create_future()
        self._queue.put_nowait((item, future))
        return await future

    async def _collect(
        self, queue: asyncio.Queue[tuple[str, asyncio.Future[str]]]
    ) -> list[tuple[str, asyncio.Future[str]]]:
        batch = [await queue.get()]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._max_wait
        while len(batch) < self._max_size:
            if not queue.empty():
                batch.append(queue.get_nowait())
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(queue.get(), remaining))
            except TimeoutError:
                break
        return batch

    async def _run(self) -> None:
        assert self._queue is not None
        queue = self._queue
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._collect(queue)
            live = [(item, fut) for item, fut in batch if not fut.done()]
            if not live:
                continue
            unique = list(dict.fromkeys(item for item, _ in live))
            self.batch_sizes.append(len(unique))
            try:
                outputs = await loop.run_in_executor(self._executor, self._fn, unique)
                if len(outputs) != len(unique):
                    raise ReplyModelError(f"batch function returned {len(outputs)} outputs for {len(unique)}")
            except Exception as exc:  # handed to every caller of the batch
                log.exception("batched generation failed")
                for _, fut in live:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            by_input = dict(zip(unique, outputs, strict=True))
            for item, fut in live:
                if not fut.done():
                    fut.set_result(by_input[item])

    async def aclose(self) -> None:
        """Stop the worker task; pending requests are cancelled."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._worker
            self._worker = None
        if self._queue is not None:
            while not self._queue.empty():
                _, fut = self._queue.get_nowait()
                fut.cancel()

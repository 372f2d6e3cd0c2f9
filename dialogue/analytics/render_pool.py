"""Heavy pure functions (matplotlib charts, forecast fits) off the event loop's process, with their results
cached by their arguments.

Drawn in the serving process, a chart holds the GIL for 100-200 ms against the event loop and the
encoders: one trend question in ten cut everyone's throughput by half (issue 28). A `ProcessOffload`
runs such a function in one worker process (started with `spawn`: no copy of the models, no torch
threads), so it uses the other core instead of the loop's.

Results are cached by the function and the value of its arguments: a chart of the same figures is the
same picture. The figures come from the data, and change when the data does (an import, a push), so the
key says exactly when a chart is stale; nothing has to be invalidated. Concurrent calls with the same
arguments share one computation. The cache is bounded (least recently used out).

`InThreadOffload` does the same in the default thread executor: the fallback where a process cannot
start, and what tests use unless they ask for a process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import multiprocessing
import pickle
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
CACHE_SIZE = 256  # results kept (a chart is 30-60 kB)


class Offload(Protocol):
    async def run(self, fn: Callable[..., T], *args: Any) -> T: ...

    def close(self) -> None: ...


def cache_key(fn: Callable[..., object], args: tuple[Any, ...]) -> bytes | None:
    """A digest of the function and its arguments' value; None (not cached) when they cannot be pickled,
    or for a function defined inside another (a closure: its name does not say what it computes)."""
    if "<locals>" in fn.__qualname__ or "<lambda>" in fn.__qualname__:
        return None
    try:
        payload = pickle.dumps((fn.__module__, fn.__qualname__, args), protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return hashlib.blake2b(payload, digest_size=16).digest()


class ResultCache:
    """Results by key, least recently used out, with concurrent computations of one key shared (both
    offloads use it, and bot.analytics_cache)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._done: OrderedDict[bytes, Any] = OrderedDict()
        self._running: dict[bytes, asyncio.Future[Any]] = {}
        self.hits = 0
        self.misses = 0

    async def get(self, key: bytes | None, compute: Callable[[], Awaitable[Any]]) -> Any:
        if key is None:
            return await compute()
        if key in self._done:
            self._done.move_to_end(key)
            self.hits += 1
            return self._done[key]
        running = self._running.get(key)
        if running is not None:
            self.hits += 1
            return await asyncio.shield(running)
        self.misses += 1
        future = asyncio.ensure_future(compute())
        self._running[key] = future
        try:
            result = await asyncio.shield(future)
        finally:
            self._running.pop(key, None)
        self._done[key] = result
        if len(self._done) > self._size:
            self._done.popitem(last=False)
        return result

    def clear(self) -> None:
        self._done.clear()


class InThreadOffload:
    """The default thread executor, with the cache."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._cache = ResultCache(cache_size)

    @property
    def cache(self) -> ResultCache:
        return self._cache

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        result: T = await self._cache.get(cache_key(fn, args), lambda: loop.run_in_executor(None, fn, *args))
        return result

    def close(self) -> None:
        self._cache.clear()


def _warm_worker(modules: tuple[str, ...]) -> None:
    """In the worker, at its start: import what it will run (matplotlib and fonts take a second)."""
    import importlib

    for name in modules:
        module = importlib.import_module(name)
        warm = getattr(module, "warm_worker", None)
        if callable(warm):
            warm()


class ProcessOffload:
    """One worker process (spawned), with the cache; falls back to a thread if the process dies twice."""

    def __init__(
        self, *, workers: int = 1, warm_modules: tuple[str, ...] = (), cache_size: int = CACHE_SIZE
    ) -> None:
        self._workers = workers
        self._warm_modules = warm_modules
        self._cache = ResultCache(cache_size)
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._broken = 0

    @property
    def cache(self) -> ResultCache:
        return self._cache

    def start(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm_worker,
                initargs=(self._warm_modules,),
            )
        return self._pool

    async def warm(self) -> None:
        """Start the worker and wait until it has imported what it runs."""
        pool = self.start()
        await asyncio.wrap_future(pool.submit(_warm_worker, ()))

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        result: T = await self._cache.get(cache_key(fn, args), lambda: self._submit(fn, args))
        return result

    def _submit(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        if self._broken >= 2:
            return loop.run_in_executor(None, fn, *args)
        return asyncio.ensure_future(self._in_process(fn, args))

    async def _in_process(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        try:
            return await asyncio.wrap_future(self.start().submit(fn, *args))
        except BrokenProcessPool:
            self._broken += 1
            log.warning("the rendering process died (%s time(s)); drawing this one in a thread", self._broken)
            self._pool = None
            return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        self._cache.clear()

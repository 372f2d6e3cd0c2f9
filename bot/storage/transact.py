"""The pipeline's busiest transactions, each written as one function of a synchronous session.

A transaction over the async drivers crosses the event loop once per statement. On SQLite that is
costly twice: SQLite has one writer at a time, and a transaction that has written keeps the lock
through every crossing. With the loop busy serving a burst, the end of a batch of turns held it for
26 ms at the median; each webhook's stored message waited behind it, in SQLite's busy handler's
growing sleeps, before Telegram could be acknowledged (bench/RESULTS.md).

So the inbox, the end of a turn and the outbox run their transactions through a `Transact`:

- `WriterThread` (SQLite): the whole function runs on one synchronous connection in one thread of
  its own, one crossing of the loop per transaction; the lock is held for as long as SQLite works.
- `OnLoop` (PostgreSQL, and an in-memory SQLite database, which a second connection cannot see):
  the function runs on the async session with `AsyncSession.run_sync`, statement by statement as
  before. PostgreSQL's row locks do not serialise writers; the same transactions on psycopg in a pool
  of threads were slower (their Python fought the event loop for the GIL).

A transaction of one statement (a stored message) goes through `one`: on PostgreSQL it is sent
without BEGIN and COMMIT, two waits for the loop fewer before a webhook is acknowledged.

A function given to a `Transact` must only use its session and its arguments: on SQLite it runs in
another thread while the event loop goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine, Executable, Result, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from bot.storage.db import make_sessionmaker, set_sqlite_pragmas, sqlite_file
from bot.storage.dialect import Sessionmaker

T = TypeVar("T")


class Transact(Protocol):
    async def __call__(self, body: Callable[[Session], T]) -> T:
        """Run `body` in one transaction: committed when it returns, rolled back when it raises."""
        ...

    async def one(self, statement: Executable, read: Callable[[Result[Any]], T]) -> T:
        """Run one statement as a transaction of its own; `read` takes what is needed from its result."""
        ...

    async def close(self) -> None: ...


class OnLoop:
    """Each statement of the transaction through the async driver, from the event loop."""

    def __init__(self, sessionmaker: Sessionmaker) -> None:
        self._sm = sessionmaker
        engine = sessionmaker.kw.get("bind")
        # A statement on its own needs no BEGIN and COMMIT: two round trips fewer, each a wait for
        # the event loop (PostgreSQL commits the statement, and sends its NOTIFY, when it ends).
        self._autocommit = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if isinstance(engine, AsyncEngine)
            else None
        )

    async def __call__(self, body: Callable[[Session], T]) -> T:
        async with self._sm.begin() as s:
            return await s.run_sync(body)

    async def one(self, statement: Executable, read: Callable[[Result[Any]], T]) -> T:
        if self._autocommit is None:
            return await self(lambda db: read(db.execute(statement)))
        async with self._autocommit.connect() as conn:
            return read(await conn.execute(statement))

    async def close(self) -> None:
        """Nothing of its own: the engine belongs to the caller."""


class WriterThread:
    """Whole transactions on one synchronous SQLite connection, in one thread, one after another."""

    def __init__(self, path: str) -> None:
        self._engine: Engine = create_engine(
            f"sqlite+pysqlite:///{path}",
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=1,
            max_overflow=0,
        )
        set_sqlite_pragmas(self._engine)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._closed = False

    async def __call__(self, body: Callable[[Session], T]) -> T:
        if self._closed:
            raise RuntimeError("the SQLite writer is closed")
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._run, body)

    async def one(self, statement: Executable, read: Callable[[Result[Any]], T]) -> T:
        return await self(lambda db: read(db.execute(statement)))

    def _run(self, body: Callable[[Session], T]) -> T:
        with Session(self._engine, expire_on_commit=False) as s, s.begin():
            return body(s)

    async def close(self) -> None:
        """Finish the transactions in hand, then close the connection and the thread; idempotent."""
        if self._closed:
            return
        self._closed = True
        await asyncio.get_running_loop().run_in_executor(self._thread, self._engine.dispose)
        self._thread.shutdown(wait=True)


def transact_for(engine: AsyncEngine) -> Transact:
    """A writer thread for an SQLite file, the async session otherwise."""
    path = sqlite_file(str(engine.url))
    return WriterThread(path) if path else OnLoop(make_sessionmaker(engine))

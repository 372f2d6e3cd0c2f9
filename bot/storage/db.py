"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

logger = logging.getLogger(__name__)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_file(url: str) -> str | None:
    """The file of an SQLite URL; None for another database or one in memory (or given as a URI)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.query:
        return None
    database = parsed.database or ""
    return None if database in ("", ":memory:") else database


def set_sqlite_pragmas(engine: Engine) -> None:
    """WAL (readers never wait for the writer), foreign keys, and a 30 s wait for the writer lock."""

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()


def make_engine(
    url: str, *, echo: bool = False, pool_size: int = 16, search_path: str | None = None
) -> AsyncEngine:
    """Create the async engine; `search_path` puts PostgreSQL tables in a schema (tests use one each)."""
    kwargs: dict[str, Any] = {"echo": echo}
    if is_sqlite(url):
        path = url.split("///", 1)[1] if "///" in url else ""
        kwargs["connect_args"] = {"timeout": 30}
        if path and path != ":memory:":  # (an in-memory database has one connection already)
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # One connection, shared in turn: SQLite has one writer at a time, and writers that collide
            # wait in its busy handler's growing sleeps; queued in the pool, the next one goes at once.
            # (The pipeline's own transactions have a connection of their own: bot.storage.transact.)
            kwargs["pool_size"] = 1
            kwargs["max_overflow"] = 0
    else:
        kwargs["pool_size"] = pool_size
        # No ping before each use: it cost a round trip, 0.27 ms of the event loop's CPU, on every
        # checkout (about ten per message). A connection that a restart of the server broke fails its
        # statement instead; SQLAlchemy then drops the whole pool, and the caller's retry reconnects
        # (workers and the sender back off and claim again; a platform re-sends an unacknowledged
        # update). Connections are renewed every half hour, before any idle timeout between here and
        # the server closes them.
        kwargs["pool_recycle"] = 1800
        if search_path:
            if url.startswith("postgresql+asyncpg"):
                kwargs["connect_args"] = {"server_settings": {"search_path": search_path}}
            else:
                kwargs["connect_args"] = {"options": f"-csearch_path={search_path}"}
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        set_sqlite_pragmas(engine.sync_engine)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "not reachable"
        logger.warning("database ping failed", exc_info=True)
        return False

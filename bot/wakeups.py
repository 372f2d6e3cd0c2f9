"""Wake-ups across processes: PostgreSQL LISTEN/NOTIFY feeding the in-process notifiers.

A process that stores a message, finishes a turn or queues a send NOTIFYs a channel in the same
transaction; every process LISTENs and wakes its own waiters, so nothing polls to find work. On
SQLite there is one process, and the in-process notifiers are all there is.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, orm, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.notify import DoneBoard, Notifier

logger = logging.getLogger(__name__)

INBOX = "opsbot_inbox"  # a message was stored
DONE = "opsbot_done"  # a turn was committed
OUTBOX = "opsbot_outbox"  # a send was queued


def announce(db: orm.Session, *channels: str, payload: str = "") -> None:
    """NOTIFY `channels` when the caller's transaction commits (PostgreSQL; nothing on SQLite).

    PostgreSQL delivers one notification per channel and payload per transaction, however often sent.
    """
    announce_each(db, [(channel, payload) for channel in channels])


def announce_each(db: orm.Session, news: Sequence[tuple[str, str]]) -> None:
    """NOTIFY each (channel, payload) of `news` at commit, in one statement (PostgreSQL only)."""
    if not news or db.get_bind().dialect.name != "postgresql":
        return
    calls = ", ".join(f"pg_notify(:c{i}, :p{i})" for i in range(len(news)))
    values: dict[str, str] = {}
    for i, (channel, payload) in enumerate(news):
        values[f"c{i}"], values[f"p{i}"] = channel, payload[:7900]
    db.execute(text(f"SELECT {calls}"), values)


def notify_inbox() -> Any:
    """pg_notify of the INBOX channel as a SQL expression, for a statement that stores a message."""
    return func.pg_notify(INBOX, "")


def done_payload(origin: str, inbox_ids: Sequence[int]) -> str:
    """The news of committed turns: "<origin>|<id>,<id>...". The process that committed them hands its
    own news on in-process, with the replies, and skips it when PostgreSQL delivers it back."""
    return f"{origin}|{','.join(str(i) for i in inbox_ids)}"


class PgWakeups:
    def __init__(
        self, engine: AsyncEngine, notifiers: Mapping[str, Notifier | DoneBoard], *, origin: str = ""
    ) -> None:
        self._engine = engine
        self._notifiers = notifiers
        self._origin = origin
        self._conn: AsyncConnection | None = None
        self._raw: Any = None

    async def start(self) -> None:
        if self._engine.dialect.name != "postgresql" or self._conn is not None:
            return
        self._conn = await self._engine.connect()
        raw = await self._conn.get_raw_connection()
        self._raw = raw.driver_connection
        for channel in self._notifiers:
            await self._raw.add_listener(channel, self._woken)
        logger.debug("listening on %s", ", ".join(self._notifiers))

    def _woken(self, _connection: Any, _pid: int, channel: str, payload: str) -> None:
        notifier = self._notifiers.get(channel)
        if isinstance(notifier, DoneBoard):
            origin, _, listed = payload.rpartition("|")
            if origin and origin == self._origin:
                return  # this process's own turns: their waiters were told, with the replies
            ids = [int(i) for i in listed.split(",") if i.isdigit()]
            notifier.notify(ids or None)
        elif notifier is not None:
            notifier.notify()

    async def stop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        with contextlib.suppress(Exception):
            for channel in self._notifiers:
                await self._raw.remove_listener(channel, self._woken)
        with contextlib.suppress(Exception):
            await conn.close()

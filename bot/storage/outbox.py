"""The outbox: replies and notices waiting to be delivered, claimed by the sender in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, exists, func, insert, orm, select, update
from sqlalchemy.orm import aliased

from bot.storage.dialect import Sessionmaker, dialect_of, upsert_insert
from bot.storage.generated_files import keep_generated
from bot.storage.inbox import OPEN_INBOX
from bot.storage.serde import outgoing_from_json, outgoing_to_json
from bot.storage.tables import ConversationRow, InboxRow, JobRunRow, OutboxRow, TurnEventRow
from bot.storage.transact import OnLoop, Transact
from bot.wakeups import OUTBOX, announce
from dialogue.clock import Clock
from dialogue.messages import OutgoingMessage

OPEN_OUTBOX = ("pending", "sending")


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    platform: str
    attempts: int
    message: OutgoingMessage
    inbox_id: int | None


_ITEM_COLUMNS = (OutboxRow.id, OutboxRow.platform, OutboxRow.attempts, OutboxRow.payload, OutboxRow.inbox_id)


def _lease(where: ColumnElement[bool], holder: str, lease_until: datetime) -> Any:
    """UPDATE the rows `where` selects to "sending", leased to `holder`; RETURNING what the sender needs."""
    return (
        update(OutboxRow)
        .where(where)
        .values(status="sending", lease_holder=holder or None, lease_until=lease_until)
        .returning(*_ITEM_COLUMNS)
    )


def _item(row: Any) -> OutboxItem:
    return OutboxItem(row.id, row.platform, row.attempts, outgoing_from_json(row.payload), row.inbox_id)


def outbox_values(msg: OutgoingMessage, inbox_id: int | None, now: datetime) -> dict[str, Any]:
    """The outbox row of `msg`, due now."""
    return {
        "inbox_id": inbox_id,
        "conversation_key": msg.conversation.as_str(),
        "platform": msg.conversation.platform.value,
        "payload": outgoing_to_json(msg),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def add_to_outbox(db: orm.Session, msg: OutgoingMessage, inbox_id: int | None, now: datetime) -> int:
    """Queue one message inside the caller's transaction; returns the outbox id."""
    stored = keep_generated(db, msg, now)
    result = db.execute(
        insert(OutboxRow).values(**outbox_values(stored, inbox_id, now)).returning(OutboxRow.id)
    )
    announce(db, OUTBOX)
    return int(result.scalar_one())


def queue_all(db: orm.Session, messages: Sequence[OutgoingMessage], now: datetime) -> None:
    """Queue `messages` (a delivery's follow-ups, such as a receipt) inside the caller's transaction."""
    for message in messages:
        add_to_outbox(db, message, None, now)


@dataclass(frozen=True, slots=True)
class Delivered:
    """A row the platform accepted: its message id there, and what to queue because of it."""

    item: OutboxItem
    platform_message_id: str
    follow_ups: tuple[OutgoingMessage, ...] = ()


class Outbox:
    def __init__(self, sessionmaker: Sessionmaker, *, clock: Clock, transact: Transact | None = None) -> None:
        self._sm = sessionmaker
        self._clock = clock
        self._postgres = dialect_of(sessionmaker) == "postgresql"
        self._transact = transact or OnLoop(sessionmaker)

    async def add(self, msg: OutgoingMessage, *, inbox_id: int | None = None) -> int:
        """Queue a message that is not a turn's reply (a relay, a dead-letter notice)."""
        now = self._clock()
        return await self._transact(lambda db: add_to_outbox(db, msg, inbox_id, now))

    async def add_once(self, msg: OutgoingMessage, *, job: str, period_key: str) -> int | None:
        """Queue a scheduled message once per (job, period); None when another run already had it."""
        now = self._clock()
        run = (
            upsert_insert(self._sm, JobRunRow)
            .values(job=job, period_key=period_key, created_at=now)
            .on_conflict_do_nothing()
            .returning(JobRunRow.id)
        )

        def add(db: orm.Session) -> int | None:
            if db.execute(run).scalar_one_or_none() is None:
                return None
            return add_to_outbox(db, msg, None, now)

        return await self._transact(add)

    async def claim(self, limit: int, lease_seconds: float, holder: str = "") -> list[OutboxItem]:
        """Claim due rows, at most one per conversation, oldest first (replies keep their order)."""
        now = self._clock()
        earlier = aliased(OutboxRow)
        blocked = exists().where(
            and_(
                earlier.conversation_key == OutboxRow.conversation_key,
                earlier.status.in_(OPEN_OUTBOX),
                earlier.id < OutboxRow.id,
            )
        )
        due = ((OutboxRow.status == "pending") & (OutboxRow.next_attempt_at <= now)) | (
            (OutboxRow.status == "sending") & (OutboxRow.lease_until < now)
        )
        stmt = select(OutboxRow.id).where(due, ~blocked).order_by(OutboxRow.id).limit(limit)
        if self._postgres:
            stmt = stmt.with_for_update(skip_locked=True, of=OutboxRow)
        lease_until = now + timedelta(seconds=lease_seconds)

        def claim(db: orm.Session) -> list[Any]:
            ids = [row.id for row in db.execute(stmt).all()]
            if not ids:
                return []
            claimed = db.execute(_lease(OutboxRow.id.in_(ids) & due, holder, lease_until))
            return sorted(claimed.all(), key=lambda row: row.id)

        return [_item(row) for row in await self._transact(claim)]

    async def claim_one(self, outbox_id: int, lease_seconds: float, holder: str = "") -> OutboxItem | None:
        """Claim one row by id if it is due (delivering a scheduled message right away)."""
        lease_until = self._clock() + timedelta(seconds=lease_seconds)
        pending = (OutboxRow.id == outbox_id) & (OutboxRow.status == "pending")
        row = await self._transact.one(_lease(pending, holder, lease_until), lambda result: result.first())
        return None if row is None else _item(row)

    async def mark_sent_many(self, delivered: Sequence[Delivered]) -> None:
        """Record several deliveries, with their follow-ups, in one transaction."""
        if not delivered:
            return
        now = self._clock()
        table: Table = OutboxRow.__table__  # type: ignore[assignment]  # Core: executemany by id

        def mark(db: orm.Session) -> None:
            queue_all(db, [m for d in delivered for m in d.follow_ups], now)
            db.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values(
                    status="sent",
                    platform_message_id=bindparam("message_id"),
                    sent_at=now,
                    attempts=table.c.attempts + 1,
                    lease_until=None,
                    error=None,
                ),
                [{"row_id": d.item.id, "message_id": d.platform_message_id or None} for d in delivered],
            )

        await self._transact(mark)

    async def mark_retry(
        self,
        item: OutboxItem,
        error: str,
        delay_seconds: float,
        *,
        follow_ups: Sequence[OutgoingMessage] = (),
    ) -> None:
        now = self._clock()
        retry = (
            update(OutboxRow)
            .where(OutboxRow.id == item.id)
            .values(
                status="pending",
                attempts=OutboxRow.attempts + 1,
                next_attempt_at=now + timedelta(seconds=delay_seconds),
                lease_until=None,
                error=error[:4000],
            )
        )

        def mark(db: orm.Session) -> None:
            queue_all(db, follow_ups, now)
            db.execute(retry)

        await self._transact(mark)

    async def mark_failed(
        self, item: OutboxItem, reason: str, *, blocked: bool, follow_ups: Sequence[OutgoingMessage] = ()
    ) -> None:
        """Record a permanent failure; a blocked conversation is flagged and logged for support."""
        now = self._clock()
        key = item.message.conversation.as_str()

        def mark(db: orm.Session) -> None:
            queue_all(db, follow_ups, now)
            db.execute(
                update(OutboxRow)
                .where(OutboxRow.id == item.id)
                .values(
                    status="failed", attempts=OutboxRow.attempts + 1, lease_until=None, error=reason[:4000]
                )
            )
            if blocked:
                db.execute(
                    update(ConversationRow)
                    .where(ConversationRow.key == key)
                    .values(delivery_blocked=reason[:4000])
                )
            db.add(
                TurnEventRow(
                    conversation_key=key,
                    inbox_id=item.inbox_id,
                    kind="system",
                    text="",
                    data={"event": "delivery_failed", "outbox_id": item.id, "reason": reason},
                    created_at=now,
                )
            )

        await self._transact(mark)

    async def release_held_by(self, holders: Sequence[str] | None) -> int:
        """Make the sends in flight for `holders` (None: every holder) due again at once.

        A send that was in flight when its process died may have reached the platform: it is sent again
        (the platforms offer no idempotency key), the one duplicate the pipeline can produce.
        """
        where = [OutboxRow.status == "sending"]
        if holders is not None:
            if not holders:
                return 0
            where.append(OutboxRow.lease_holder.in_(list(holders)))
        async with self._sm.begin() as s:
            result = await s.execute(update(OutboxRow).where(*where).values(lease_until=self._clock()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def holders_in_flight(self) -> list[str]:
        async with self._sm() as s:
            rows = await s.execute(
                select(OutboxRow.lease_holder)
                .where(OutboxRow.status == "sending", OutboxRow.lease_holder.is_not(None))
                .distinct()
            )
            return [str(h) for h in rows.scalars()]

    async def replies_for(self, inbox_id: int) -> list[tuple[int, OutgoingMessage]]:
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(OutboxRow.id, OutboxRow.payload)
                    .where(OutboxRow.inbox_id == inbox_id)
                    .order_by(OutboxRow.id)
                )
            ).all()
        return [(r.id, outgoing_from_json(r.payload)) for r in rows]

    async def queue_depths(self) -> dict[str, int]:
        """Unfinished and given-up rows of both queues, for the gauges."""
        async with self._sm() as s:

            async def count(table: type[InboxRow] | type[OutboxRow], statuses: tuple[str, ...]) -> int:
                stmt = select(func.count()).select_from(table).where(table.status.in_(statuses))
                return int((await s.execute(stmt)).scalar_one())

            return {
                "inbox": await count(InboxRow, OPEN_INBOX),
                "outbox": await count(OutboxRow, OPEN_OUTBOX),
                "inbox_dead": await count(InboxRow, ("dead",)),
                "outbox_failed": await count(OutboxRow, ("failed",)),
            }

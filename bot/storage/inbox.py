"""The inbox: incoming messages stored before the platform is acknowledged, claimed by workers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session, aliased

from adapters.base import IngestResult
from bot.storage.dialect import Sessionmaker, dialect_of, upsert_insert
from bot.storage.serde import incoming_from_json, incoming_to_json
from bot.storage.tables import InboxRow
from bot.storage.transact import OnLoop, Transact
from bot.wakeups import notify_inbox
from dialogue.clock import Clock
from dialogue.messages import IncomingMessage

OPEN_INBOX = ("pending", "processing")


@dataclass(frozen=True, slots=True)
class Claim:
    inbox_id: int
    token: str
    attempts: int
    message: IncomingMessage


class Inbox:
    def __init__(self, sessionmaker: Sessionmaker, *, clock: Clock, transact: Transact | None = None) -> None:
        self._sm = sessionmaker
        self._clock = clock
        self._postgres = dialect_of(sessionmaker) == "postgresql"
        self._transact = transact or OnLoop(sessionmaker)

    async def enqueue(self, msg: IncomingMessage) -> IngestResult:
        """Store a message durably; a duplicate (same external id or dedupe key) is reported, not stored."""
        stmt = (
            upsert_insert(self._sm, InboxRow)
            .values(
                platform=msg.platform.value,
                external_id=msg.external_id,
                dedupe_key=msg.dedupe_key or None,
                conversation_key=msg.conversation.as_str(),
                payload=incoming_to_json(msg),
                status="pending",
                attempts=0,
                received_at=self._clock(),
            )
            .on_conflict_do_nothing()
            .returning(InboxRow.id)
        )
        if self._postgres:  # one statement: the row, and the workers' wake-up when it is new
            stored = stmt.cte("stored")
            stmt = select(stored.c.id, notify_inbox())
        inbox_id = await self._transact.one(stmt, lambda result: result.scalar_one_or_none())
        return IngestResult(inbox_id=inbox_id, duplicate=inbox_id is None)

    async def claim_batch(self, limit: int, lease_seconds: float, holder: str = "") -> list[Claim]:
        """Claim up to `limit` conversation heads: the oldest unfinished message of each, oldest first.

        At most one message per conversation is in flight, so replies keep their order. On PostgreSQL
        the rows are locked with SKIP LOCKED, so workers in several processes never claim the same.
        """
        now = self._clock()
        earlier = aliased(InboxRow)
        blocked = exists().where(
            and_(
                earlier.conversation_key == InboxRow.conversation_key,
                earlier.status.in_(OPEN_INBOX),
                earlier.id < InboxRow.id,
            )
        )
        due = (InboxRow.status == "pending") | (
            (InboxRow.status == "processing") & (InboxRow.lease_until < now)
        )
        stmt = (  # the ids only: the UPDATE returns what a claim needs
            select(InboxRow.id)
            .where(InboxRow.status.in_(OPEN_INBOX), due, ~blocked)
            .order_by(InboxRow.id)
            .limit(limit)
        )
        if self._postgres:
            stmt = stmt.with_for_update(skip_locked=True, of=InboxRow)
        token = uuid.uuid4().hex  # one lease for the batch: it is renewed and completed together

        def claim(s: Session) -> list[Any]:
            ids = [row.id for row in s.execute(stmt).all()]
            if not ids:
                return []
            claimed = s.execute(
                update(InboxRow)
                .where(InboxRow.id.in_(ids), due)
                .values(
                    status="processing",
                    lease_token=token,
                    lease_holder=holder or None,
                    lease_until=now + timedelta(seconds=lease_seconds),
                    attempts=InboxRow.attempts + 1,
                )
                .returning(InboxRow.id, InboxRow.attempts, InboxRow.payload)
            )
            return sorted(claimed.all(), key=lambda row: row.id)

        rows = await self._transact(claim)
        return [Claim(row.id, token, row.attempts, incoming_from_json(row.payload)) for row in rows]

    async def renew(self, claims: Sequence[Claim], lease_seconds: float) -> int:
        """Extend the leases of claims still being worked on (the heartbeat); how many are still ours."""
        if not claims:
            return 0
        until = self._clock() + timedelta(seconds=lease_seconds)

        def renew(s: Session) -> int:
            renewed = 0
            for token in {claim.token for claim in claims}:
                result = s.execute(
                    update(InboxRow)
                    .where(
                        InboxRow.id.in_([c.inbox_id for c in claims if c.token == token]),
                        InboxRow.lease_token == token,
                        InboxRow.status == "processing",
                    )
                    .values(lease_until=until)
                )
                renewed += int(result.rowcount or 0)  # type: ignore[attr-defined]
            return renewed

        return await self._transact(renew)

    async def release_held_by(self, holders: Sequence[str] | None) -> int:
        """Make the messages in flight for `holders` (None: every holder) due again at once."""
        where = [InboxRow.status == "processing"]
        if holders is not None:
            if not holders:
                return 0
            where.append(InboxRow.lease_holder.in_(list(holders)))
        async with self._sm.begin() as s:
            result = await s.execute(
                update(InboxRow).where(*where).values(lease_until=self._clock(), lease_token=None)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def holders_in_flight(self) -> list[str]:
        async with self._sm() as s:
            rows = await s.execute(
                select(InboxRow.lease_holder)
                .where(InboxRow.status == "processing", InboxRow.lease_holder.is_not(None))
                .distinct()
            )
            return [str(h) for h in rows.scalars()]

    async def fail(self, claim: Claim, error: str, *, max_attempts: int, retry_in: float = 0.0) -> bool:
        """Release a failed claim for another try, or mark it dead. Returns True when it is dead."""
        dead = claim.attempts >= max_attempts
        now = self._clock()
        stmt = (
            update(InboxRow)
            .where(InboxRow.id == claim.inbox_id, InboxRow.lease_token == claim.token)
            .values(
                status="dead" if dead else "processing",
                lease_token=None,
                lease_until=now + timedelta(seconds=retry_in),
                error=error[:4000],
                processed_at=now if dead else None,
            )
        )
        await self._transact.one(stmt, lambda _result: None)
        return dead

    async def replace_pending_text(
        self, platform: str, message_id: str, conversation: str, text: str
    ) -> bool:
        """Apply an edit to a message not yet answered; False when it was already handled."""
        async with self._sm.begin() as s:
            rows = (
                await s.execute(
                    select(InboxRow).where(
                        InboxRow.platform == platform,
                        InboxRow.conversation_key == conversation,
                        InboxRow.status == "pending",
                    )
                )
            ).scalars()
            for row in rows:
                if row.payload.get("message_id") == message_id:
                    payload = dict(row.payload)
                    payload["text"] = text
                    row.payload = payload
                    return True
        return False

    async def status(self, inbox_id: int) -> str | None:
        async with self._sm() as s:
            return (await s.execute(select(InboxRow.status).where(InboxRow.id == inbox_id))).scalar()

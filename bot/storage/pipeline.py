"""Inbox, outbox and session persistence: the durable half of the message pipeline."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from adapters.base import IngestResult
from bot.storage.models import ConversationRow, InboxRow, OutboxRow, TurnEventRow
from bot.storage.serde import incoming_from_json, incoming_to_json, outgoing_from_json, outgoing_to_json
from dialogue.clock import Clock
from dialogue.errors import OpsbotError
from dialogue.messages import ConversationKey, IncomingMessage, OutgoingMessage
from dialogue.session import Session

logger = logging.getLogger(__name__)

OPEN_INBOX = ("pending", "processing")


class LeaseLost(OpsbotError):
    """Another worker reclaimed the message; this worker's result is discarded."""


@dataclass(frozen=True, slots=True)
class Claim:
    inbox_id: int
    token: str
    attempts: int
    message: IncomingMessage


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    platform: str
    attempts: int
    message: OutgoingMessage
    inbox_id: int | None


class PipelineStore:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self._sm = sessionmaker
        self._clock = clock
        self._dialect = sessionmaker.kw["bind"].dialect.name if "bind" in sessionmaker.kw else "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self._dialect == "postgresql"

    def _insert(self, table: Any) -> Any:
        return postgresql.insert(table) if self.is_postgres else sqlite.insert(table)

    # --- inbox ---------------------------------------------------------------------------

    async def enqueue(self, msg: IncomingMessage) -> IngestResult:
        """Store a message durably; a duplicate (same external id or dedupe key) is reported, not stored."""
        stmt = (
            self._insert(InboxRow)
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
        async with self._sm.begin() as s:
            inbox_id = (await s.execute(stmt)).scalar_one_or_none()
        return IngestResult(inbox_id=inbox_id, duplicate=inbox_id is None)

    async def claim_next(self, lease_seconds: float) -> Claim | None:
        """Claim the oldest message whose conversation has nothing earlier unfinished."""
        now = self._clock()
        earlier = aliased(InboxRow)
        blocked = exists().where(
            and_(
                earlier.conversation_key == InboxRow.conversation_key,
                earlier.status.in_(OPEN_INBOX),
                earlier.id < InboxRow.id,
            )
        )
        stmt = (
            select(InboxRow.id, InboxRow.attempts, InboxRow.payload)
            .where(
                InboxRow.status.in_(OPEN_INBOX),
                (InboxRow.status == "pending") | (InboxRow.lease_until < now),
                ~blocked,
            )
            .order_by(InboxRow.id)
            .limit(1)
        )
        if self.is_postgres:
            stmt = stmt.with_for_update(skip_locked=True, of=InboxRow)
        token = uuid.uuid4().hex
        async with self._sm.begin() as s:
            row = (await s.execute(stmt)).first()
            if row is None:
                return None
            result = await s.execute(
                update(InboxRow)
                .where(InboxRow.id == row.id, InboxRow.status.in_(OPEN_INBOX))
                .values(
                    status="processing",
                    lease_token=token,
                    lease_until=now + timedelta(seconds=lease_seconds),
                    attempts=InboxRow.attempts + 1,
                )
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
        return Claim(row.id, token, row.attempts + 1, incoming_from_json(row.payload))

    async def fail(self, claim: Claim, error: str, *, max_attempts: int, retry_in: float = 0.0) -> bool:
        """Release a failed claim for another try, or mark it dead. Returns True when it is dead."""
        dead = claim.attempts >= max_attempts
        now = self._clock()
        async with self._sm.begin() as s:
            await s.execute(
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
        return dead

    async def complete(
        self,
        claim: Claim,
        session: Session,
        replies: Sequence[OutgoingMessage],
        *,
        platform: str,
    ) -> list[int]:
        """In one transaction: append turn events, save the session, write the outbox, mark the inbox done."""
        now = self._clock()
        async with self._sm.begin() as s:
            done = await s.execute(
                update(InboxRow)
                .where(
                    InboxRow.id == claim.inbox_id,
                    InboxRow.lease_token == claim.token,
                    InboxRow.status == "processing",
                )
                .values(status="done", lease_token=None, lease_until=None, processed_at=now, error=None)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise LeaseLost(f"inbox {claim.inbox_id}: lease lost")
            await self._save_session(s, session, now)
            await self._append_records(s, session, claim.inbox_id, now)
            ids: list[int] = []
            for reply in replies:
                ids.append(await self._add_outbox(s, reply, platform, claim.inbox_id, now))
        session.records.clear()
        return ids

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

    async def inbox_status(self, inbox_id: int) -> str | None:
        async with self._sm() as s:
            return (await s.execute(select(InboxRow.status).where(InboxRow.id == inbox_id))).scalar()

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

    # --- sessions ------------------------------------------------------------------------

    async def load_session(self, key: ConversationKey, user_id: str) -> Session:
        async with self._sm() as s:
            row = await s.get(ConversationRow, key.as_str())
        now = self._clock()
        if row is None:
            return Session(key=key, started_at=now, last_activity_at=now, user_id=user_id, version=0)
        return Session(
            key=key,
            started_at=row.session_started_at,
            last_activity_at=row.last_activity_at,
            user_id=row.user_id or user_id,
            language=row.language,
            supplier_id=row.supplier_id,
            controller=row.controller,
            active_form=row.active_form,
            slots=dict(row.slots or {}),
            state=dict(row.state or {}),
            version=row.version,
        )

    async def _save_session(self, s: AsyncSession, session: Session, now: datetime) -> None:
        values = {
            "platform": session.key.platform.value,
            "user_id": session.user_id,
            "language": session.language,
            "supplier_id": session.supplier_id,
            "controller": session.controller,
            "active_form": session.active_form,
            "slots": session.slots,
            "state": session.state,
            "session_started_at": session.started_at,
            "last_activity_at": session.last_activity_at,
        }
        if session.version == 0:
            await s.execute(
                insert(ConversationRow).values(key=session.key.as_str(), version=1, created_at=now, **values)
            )
            session.version = 1
            return
        result = await s.execute(
            update(ConversationRow)
            .where(ConversationRow.key == session.key.as_str(), ConversationRow.version == session.version)
            .values(version=session.version + 1, **values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise LeaseLost(f"conversation {session.key.as_str()}: changed concurrently")
        session.version += 1

    async def _append_records(
        self, s: AsyncSession, session: Session, inbox_id: int | None, now: datetime
    ) -> None:
        for rec in session.records:
            s.add(
                TurnEventRow(
                    conversation_key=session.key.as_str(),
                    inbox_id=inbox_id,
                    kind=rec.kind,
                    text=rec.text,
                    intent=rec.intent,
                    confidence=rec.confidence,
                    entities=[dict(e) for e in rec.entities],
                    action=rec.action,
                    outcome=rec.outcome,
                    facts=dict(rec.facts),
                    used_fallback=rec.used_fallback,
                    data=dict(rec.data),
                    created_at=now,
                )
            )

    async def set_controller(self, key: str, controller: str) -> None:
        async with self._sm.begin() as s:
            await s.execute(
                update(ConversationRow)
                .where(ConversationRow.key == key)
                .values(controller=controller, version=ConversationRow.version + 1)
            )

    # --- outbox --------------------------------------------------------------------------

    async def _add_outbox(
        self, s: AsyncSession, msg: OutgoingMessage, platform: str, inbox_id: int | None, now: datetime
    ) -> int:
        result = await s.execute(
            insert(OutboxRow)
            .values(
                inbox_id=inbox_id,
                conversation_key=msg.conversation.as_str(),
                platform=platform,
                payload=outgoing_to_json(msg),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            .returning(OutboxRow.id)
        )
        return int(result.scalar_one())

    async def add_outgoing(self, msg: OutgoingMessage, *, inbox_id: int | None = None) -> int:
        """Queue a message that is not a reply to an inbox row (digest, relay, dead-letter notice)."""
        async with self._sm.begin() as s:
            return await self._add_outbox(s, msg, msg.conversation.platform.value, inbox_id, self._clock())

    async def claim_outbox(self, limit: int, lease_seconds: float) -> list[OutboxItem]:
        """Claim due rows, at most one per conversation, oldest first (replies keep their order)."""
        now = self._clock()
        earlier = aliased(OutboxRow)
        blocked = exists().where(
            and_(
                earlier.conversation_key == OutboxRow.conversation_key,
                earlier.status.in_(("pending", "sending")),
                earlier.id < OutboxRow.id,
            )
        )
        stmt = (
            select(
                OutboxRow.id, OutboxRow.platform, OutboxRow.attempts, OutboxRow.payload, OutboxRow.inbox_id
            )
            .where(
                ((OutboxRow.status == "pending") & (OutboxRow.next_attempt_at <= now))
                | ((OutboxRow.status == "sending") & (OutboxRow.lease_until < now)),
                ~blocked,
            )
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        if self.is_postgres:
            stmt = stmt.with_for_update(skip_locked=True, of=OutboxRow)
        items: list[OutboxItem] = []
        async with self._sm.begin() as s:
            for row in (await s.execute(stmt)).all():
                await s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row.id)
                    .values(status="sending", lease_until=now + timedelta(seconds=lease_seconds))
                )
                items.append(
                    OutboxItem(
                        row.id, row.platform, row.attempts, outgoing_from_json(row.payload), row.inbox_id
                    )
                )
        return items

    async def mark_sent(self, item: OutboxItem, platform_message_id: str) -> None:
        async with self._sm.begin() as s:
            await s.execute(
                update(OutboxRow)
                .where(OutboxRow.id == item.id)
                .values(
                    status="sent",
                    platform_message_id=platform_message_id or None,
                    sent_at=self._clock(),
                    attempts=OutboxRow.attempts + 1,
                    lease_until=None,
                    error=None,
                )
            )

    async def mark_retry(self, item: OutboxItem, error: str, delay_seconds: float) -> None:
        async with self._sm.begin() as s:
            await s.execute(
                update(OutboxRow)
                .where(OutboxRow.id == item.id)
                .values(
                    status="pending",
                    attempts=OutboxRow.attempts + 1,
                    next_attempt_at=self._clock() + timedelta(seconds=delay_seconds),
                    lease_until=None,
                    error=error[:4000],
                )
            )

    async def mark_failed(self, item: OutboxItem, reason: str, *, blocked: bool) -> None:
        """Record a permanent failure; a blocked conversation is flagged and logged for support."""
        now = self._clock()
        async with self._sm.begin() as s:
            await s.execute(
                update(OutboxRow)
                .where(OutboxRow.id == item.id)
                .values(
                    status="failed", attempts=OutboxRow.attempts + 1, lease_until=None, error=reason[:4000]
                )
            )
            key = item.message.conversation.as_str()
            if blocked:
                await s.execute(
                    update(ConversationRow)
                    .where(ConversationRow.key == key)
                    .values(delivery_blocked=reason[:4000])
                )
            s.add(
                TurnEventRow(
                    conversation_key=key,
                    inbox_id=item.inbox_id,
                    kind="system",
                    text="",
                    data={"event": "delivery_failed", "outbox_id": item.id, "reason": reason},
                    created_at=now,
                )
            )

    async def outbox_row(self, outbox_id: int) -> OutboxRow | None:
        async with self._sm() as s:
            return await s.get(OutboxRow, outbox_id)

    # --- metrics -------------------------------------------------------------------------

    async def queue_depths(self) -> dict[str, int]:
        async with self._sm() as s:
            inbox = (
                await s.execute(
                    select(func.count()).select_from(InboxRow).where(InboxRow.status.in_(OPEN_INBOX))
                )
            ).scalar_one()
            outbox = (
                await s.execute(
                    select(func.count())
                    .select_from(OutboxRow)
                    .where(OutboxRow.status.in_(("pending", "sending")))
                )
            ).scalar_one()
            dead = (
                await s.execute(select(func.count()).select_from(InboxRow).where(InboxRow.status == "dead"))
            ).scalar_one()
            failed = (
                await s.execute(
                    select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "failed")
                )
            ).scalar_one()
        return {
            "inbox": int(inbox),
            "outbox": int(outbox),
            "inbox_dead": int(dead),
            "outbox_failed": int(failed),
        }

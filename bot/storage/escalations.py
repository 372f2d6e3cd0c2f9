"""Escalations in SQL: the handoff service's store. A write applies its effects in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import Sessionmaker
from bot.storage.outbox import add_to_outbox
from bot.storage.tables import (
    ConversationRow,
    EscalationEventRow,
    EscalationRelayRow,
    EscalationRow,
    OutboxRow,
    TurnEventRow,
)
from dialogue.clock import Clock
from dialogue.handoff.desk import RelayedMessage
from dialogue.handoff.model import Agent, Escalation, Event, Priority, Reason, Status, TurnLine
from dialogue.handoff.silence import changes_hands
from dialogue.handoff.store import NO_EFFECTS, Effects

OPEN = (Status.PENDING.value, Status.ASSIGNED.value)


def _escalation(row: EscalationRow) -> Escalation:
    reasons = tuple(Reason(str(r.get("code", "")), str(r.get("detail", ""))) for r in row.reasons or ())
    return Escalation(
        id=row.id,
        conversation_key=row.conversation_key,
        status=Status(row.status),
        priority=Priority(row.priority),
        reasons=reasons or (Reason(row.reason, row.detail),),
        language=row.language,
        created_at=row.created_at,
        claim_due_at=row.claim_due_at,
        resolve_due_at=row.resolve_due_at,
        updated_at=row.updated_at,
        version=row.version,
        supplier_id=row.supplier_id,
        supplier_name=row.supplier_name,
        user_name=row.user_name,
        summary=tuple(TurnLine(str(t.get("who", "")), str(t.get("text", ""))) for t in row.turns or ()),
        order_ids=tuple(row.order_ids or ()),
        invoice_ids=tuple(row.invoice_ids or ()),
        assignee=Agent(row.assignee, row.assignee_name) if row.assignee else None,
        assigned_at=row.assigned_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        card_ref=row.card_ts or "",
        renotified_at=row.claim_renotified_at,
        warned_at=row.resolve_warned_at,
        breached_at=row.breached_at,
        csat_asked_at=row.csat_asked_at,
        csat_rating=row.csat_rating,
        csat_comment=row.csat_comment,
    )


def _columns(esc: Escalation) -> dict[str, Any]:
    """The row's columns for `esc` (all but id, version and the desk card, which only the sender sets)."""
    first = esc.reasons[0] if esc.reasons else Reason("unknown")
    return {
        "conversation_key": esc.conversation_key,
        "supplier_id": esc.supplier_id,
        "supplier_name": esc.supplier_name,
        "user_name": esc.user_name,
        "language": esc.language,
        "reason": first.code,
        "detail": first.detail[:2000],
        "reasons": [{"code": r.code, "detail": r.detail[:2000]} for r in esc.reasons],
        "priority": esc.priority.value,
        "status": esc.status.value,
        "assignee": esc.assignee.id if esc.assignee else None,
        "assignee_name": esc.assignee.name if esc.assignee else "",
        "order_ids": list(esc.order_ids),
        "invoice_ids": list(esc.invoice_ids),
        "summary": "\n".join(f"{t.who}: {t.text}" for t in esc.summary)[:8000],
        "turns": [{"who": t.who, "text": t.text[:2000]} for t in esc.summary],
        "created_at": esc.created_at,
        "claim_due_at": esc.claim_due_at,
        "resolve_due_at": esc.resolve_due_at,
        "updated_at": esc.updated_at,
        "assigned_at": esc.assigned_at,
        "resolved_at": esc.resolved_at,
        "closed_at": esc.closed_at,
        "claim_renotified_at": esc.renotified_at,
        "resolve_warned_at": esc.warned_at,
        "breached_at": esc.breached_at,
        "csat_asked_at": esc.csat_asked_at,
        "csat_rating": esc.csat_rating,
        "csat_comment": esc.csat_comment[:4000],
    }


class SqlEscalations:
    def __init__(self, sessionmaker: Sessionmaker, *, clock: Clock) -> None:
        self._sm = sessionmaker
        self._clock = clock

    # --- reads -------------------------------------------------------------------------------

    async def get(self, escalation_id: int) -> Escalation | None:
        async with self._sm() as s:
            row = await s.get(EscalationRow, escalation_id)
        return _escalation(row) if row else None

    async def _one(self, *where: Any) -> Escalation | None:
        async with self._sm() as s:
            row = (
                await s.execute(
                    select(EscalationRow).where(*where).order_by(EscalationRow.id.desc()).limit(1)
                )
            ).scalar_one_or_none()
        return _escalation(row) if row else None

    async def open_for(self, conversation_key: str) -> Escalation | None:
        return await self._one(
            EscalationRow.conversation_key == conversation_key, EscalationRow.status.in_(OPEN)
        )

    async def latest_for(self, conversation_key: str) -> Escalation | None:
        return await self._one(EscalationRow.conversation_key == conversation_key)

    async def find_by_card(self, card_ref: str) -> Escalation | None:
        return await self._one(EscalationRow.card_ts == card_ref) if card_ref else None

    async def with_status(self, statuses: Sequence[Status], limit: int = 100) -> list[Escalation]:
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(EscalationRow)
                    .where(EscalationRow.status.in_([st.value for st in statuses]))
                    .order_by(EscalationRow.id.desc())
                    .limit(limit)
                )
            ).scalars()
            return [_escalation(row) for row in rows]

    async def open_counts(self) -> dict[str, int]:
        """How many escalations wait for an agent and how many are held, for the gauge."""
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(EscalationRow.status, func.count())
                    .where(EscalationRow.status.in_(OPEN))
                    .group_by(EscalationRow.status)
                )
            ).all()
        counts = {status: 0 for status in OPEN}
        counts.update({str(status): int(n) for status, n in rows})
        return counts

    async def events(self, escalation_id: int) -> list[Event]:
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(EscalationEventRow)
                    .where(EscalationEventRow.escalation_id == escalation_id)
                    .order_by(EscalationEventRow.id)
                )
            ).scalars()
            return [Event(r.kind, r.actor, r.created_at, dict(r.data or {})) for r in rows]

    async def created_by_request(self, escalation_id: int, request_id: str) -> bool:
        for event in await self.events(escalation_id):
            if event.kind == "created":
                return bool(event.data.get("request_id") == request_id)
        return False

    async def recent_turns(self, conversation_key: str, limit: int) -> list[TurnLine]:
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(TurnEventRow.kind, TurnEventRow.text)
                    .where(
                        TurnEventRow.conversation_key == conversation_key,
                        TurnEventRow.kind.in_(("user", "bot")),
                        TurnEventRow.text != "",
                    )
                    .order_by(TurnEventRow.id.desc())
                    .limit(limit)
                )
            ).all()
        return [TurnLine("supplier" if r.kind == "user" else "bot", r.text) for r in reversed(rows)]

    async def last_survey(self, supplier_id: str | None, conversation_key: str) -> datetime | None:
        who = (
            EscalationRow.supplier_id == supplier_id
            if supplier_id
            else EscalationRow.conversation_key == conversation_key
        )
        async with self._sm() as s:
            return (await s.execute(select(func.max(EscalationRow.csat_asked_at)).where(who))).scalar()

    async def resolved_before(self, moment: datetime) -> list[Escalation]:
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(EscalationRow).where(
                        EscalationRow.status == Status.RESOLVED.value, EscalationRow.resolved_at < moment
                    )
                )
            ).scalars()
            return [_escalation(row) for row in rows]

    # --- writes ------------------------------------------------------------------------------

    async def create(
        self, escalation: Escalation, event: Event, effects: Callable[[Escalation], Effects]
    ) -> Escalation | None:
        try:
            async with self._sm.begin() as s:
                row = EscalationRow(version=1, **_columns(escalation))
                s.add(row)
                await s.flush()
                created = _escalation(row)
                self._event(s, row.id, event)
                await self._fence(s, None, created)
                await self._apply(s, created, effects(created))
        except IntegrityError:  # the conversation already has an open escalation
            return None
        return created

    async def update(self, escalation: Escalation, event: Event, effects: Effects) -> Escalation | None:
        async with self._sm.begin() as s:
            before = (
                await s.execute(select(EscalationRow.status).where(EscalationRow.id == escalation.id))
            ).scalar()
            result = await s.execute(
                update(EscalationRow)
                .where(EscalationRow.id == escalation.id, EscalationRow.version == escalation.version)
                .values(version=escalation.version + 1, **_columns(escalation))
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            self._event(s, escalation.id, event)
            await self._fence(s, Status(before) if before else None, escalation)  # `before`: as it was
            await self._apply(s, escalation, effects)
            row = await s.get(EscalationRow, escalation.id)
            assert row is not None
            return _escalation(row)

    async def append_event(self, escalation_id: int, event: Event, effects: Effects = NO_EFFECTS) -> None:
        async with self._sm.begin() as s:
            self._event(s, escalation_id, event)
            row = await s.get(EscalationRow, escalation_id)
            if row is not None:
                await self._apply(s, _escalation(row), effects)

    async def card_posted(self, escalation_id: int, channel: str, ref: str) -> None:
        """Remember where the desk card is, so updates edit it and the thread gathers under it."""
        async with self._sm.begin() as s:
            await s.execute(
                update(EscalationRow)
                .where(EscalationRow.id == escalation_id)
                .values(card_channel=channel, card_ts=ref)
            )

    async def card_of(self, escalation_id: int) -> str:
        async with self._sm() as s:
            ref = (
                await s.execute(select(EscalationRow.card_ts).where(EscalationRow.id == escalation_id))
            ).scalar()
        return str(ref or "")

    async def relayed(self, source_ref: str) -> RelayedMessage | None:
        """Where the desk message `source_ref` went: the outbox row that carried it to the supplier."""
        async with self._sm() as s:
            row = (
                await s.execute(
                    select(OutboxRow.status, OutboxRow.platform_message_id)
                    .join(EscalationRelayRow, EscalationRelayRow.outbox_id == OutboxRow.id)
                    .where(EscalationRelayRow.source_ref == source_ref)
                    .order_by(EscalationRelayRow.id)
                    .limit(1)
                )
            ).first()
        return RelayedMessage(row.status, row.platform_message_id or "") if row else None

    def _event(self, s: AsyncSession, escalation_id: int, event: Event) -> None:
        s.add(
            EscalationEventRow(
                escalation_id=escalation_id,
                kind=event.kind,
                actor=event.actor[:64],
                data=dict(event.data),
                created_at=event.at,
            )
        )

    @staticmethod
    async def _fence(s: AsyncSession, before: Status | None, escalation: Escalation) -> None:
        """A person took the conversation from the bot or gave it back: bump its session's version, so
        that a turn of the supplier's computed before cannot commit after (its compare-and-set fails)."""
        if changes_hands(before, escalation.status):
            await s.execute(
                update(ConversationRow)
                .where(ConversationRow.key == escalation.conversation_key)
                .values(version=ConversationRow.version + 1)
            )

    async def _apply(self, s: AsyncSession, escalation: Escalation, effects: Effects) -> None:
        now = self._clock()
        for message in effects.messages:
            outbox_id = await s.run_sync(add_to_outbox, message, None, now)
            source = message.relay.receipt_for if message.relay is not None else ""
            if message.kind == "relay" and source:
                s.add(
                    EscalationRelayRow(
                        escalation_id=escalation.id, source_ref=source, outbox_id=outbox_id, created_at=now
                    )
                )

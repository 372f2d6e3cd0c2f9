"""Figures about the bot's own work, for reports: open escalations, the questions asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.storage.dialect import Sessionmaker
from bot.storage.tables import EscalationRow, TurnEventRow

OPEN_ESCALATION_STATUSES = ("pending", "assigned")


@dataclass(frozen=True, slots=True)
class EscalationLoad:
    open: int
    unclaimed: int
    sla_breaches: int  # open escalations past their claim or resolve due time


async def escalation_load(sessionmaker: Sessionmaker, *, now: datetime) -> EscalationLoad:
    async with sessionmaker() as s:
        rows = (
            await s.execute(
                select(EscalationRow.status, EscalationRow.claim_due_at, EscalationRow.resolve_due_at).where(
                    EscalationRow.status.in_(OPEN_ESCALATION_STATUSES)
                )
            )
        ).all()
    breaches = sum(
        1 for e in rows if (e.status == "pending" and e.claim_due_at < now) or e.resolve_due_at < now
    )
    return EscalationLoad(
        open=len(rows), unclaimed=sum(1 for e in rows if e.status == "pending"), sla_breaches=breaches
    )


async def intents_asked(
    sessionmaker: Sessionmaker, *, start: datetime, end: datetime
) -> list[tuple[str, int]]:
    """(intent, count) of the users' messages in [start, end), most asked first."""
    async with sessionmaker() as s:
        rows = (
            await s.execute(
                select(TurnEventRow.intent, func.count().label("n"))
                .where(
                    TurnEventRow.kind == "user",
                    TurnEventRow.intent.is_not(None),
                    TurnEventRow.created_at >= start,
                    TurnEventRow.created_at < end,
                )
                .group_by(TurnEventRow.intent)
            )
        ).all()
    return sorted(((str(r.intent), int(r.n)) for r in rows), key=lambda p: (-p[1], p[0]))

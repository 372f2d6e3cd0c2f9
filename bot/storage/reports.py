"""Figures about the bot's own work, for reports: open escalations, the questions asked."""

from __future__ import annotations

import statistics
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


@dataclass(frozen=True, slots=True)
class SupportDay:
    """What support did in a window: escalations opened and resolved, claim times, breaches, ratings."""

    opened: int
    resolved: int
    median_minutes_to_claim: float | None
    sla_breaches: int
    csat_average: float | None
    csat_count: int


async def support_day(sessionmaker: Sessionmaker, *, start: datetime, end: datetime) -> SupportDay:
    async with sessionmaker() as s:
        opened = (
            await s.execute(
                select(EscalationRow.created_at, EscalationRow.assigned_at).where(
                    EscalationRow.created_at >= start, EscalationRow.created_at < end
                )
            )
        ).all()
        resolved = (
            await s.execute(
                select(func.count())
                .select_from(EscalationRow)
                .where(EscalationRow.resolved_at >= start, EscalationRow.resolved_at < end)
            )
        ).scalar_one()
        breaches = (
            await s.execute(
                select(func.count())
                .select_from(EscalationRow)
                .where(EscalationRow.breached_at >= start, EscalationRow.breached_at < end)
            )
        ).scalar_one()
        ratings = (
            await s.execute(
                select(EscalationRow.csat_rating).where(
                    EscalationRow.resolved_at >= start,
                    EscalationRow.resolved_at < end,
                    EscalationRow.csat_rating.is_not(None),
                )
            )
        ).scalars()
        rated = [int(r) for r in ratings if r is not None]
    waits = [(a - c).total_seconds() / 60 for c, a in opened if a is not None]
    return SupportDay(
        opened=len(opened),
        resolved=int(resolved),
        median_minutes_to_claim=round(statistics.median(waits), 1) if waits else None,
        sla_breaches=int(breaches),
        csat_average=round(sum(rated) / len(rated), 2) if rated else None,
        csat_count=len(rated),
    )

"""The daily sales digest: figures from the backend and the turn log, queued once per period.

The digest is a platform-neutral `Card`; the Slack adapter renders it as Block Kit. It is queued
through the outbox once per (job, period key), so that several processes or a repeated trigger post
it once, and delivery is durable: the outbox sender posts it with its usual retries.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from adapters.slack.settings import SlackDigestSettings
from bot.jobs.shutdown import stops_quietly
from bot.storage.dialect import Sessionmaker
from bot.storage.outbox import Outbox
from bot.storage.reports import SupportDay, escalation_load, intents_asked, support_day
from bot.storage.tables import DataChangeRow, EscalationRow
from dialogue.backend import Backend
from dialogue.clock import Clock
from dialogue.handoff.model import ReasonCode
from dialogue.messages import Card, ConversationKey, OutgoingMessage, Platform

logger = logging.getLogger(__name__)

JOB_NAME = "slack_digest"
MAX_LATE_LISTED = 10
TOP_INTENTS = 5

# Delivers one queued outbox row right away (the outbox sender's `deliver_now`).
DeliverNow = Callable[[int], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class DigestFigures:
    day: date
    timezone: str
    order_count: int
    revenue: tuple[tuple[str, Decimal], ...]  # (currency, amount), biggest first
    late_orders: tuple[str, ...]  # open orders past their ETA / promised date, most overdue first
    open_escalations: int
    unclaimed_escalations: int
    sla_breaches: int  # open escalations past their claim or resolve due time
    questions: int  # user turns with an intent
    top_intents: tuple[tuple[str, int], ...]
    support: SupportDay
    bank_detail_requests: int = 0  # escalations opened as "risk: bank details" that day (dialogue.risk)
    changes: tuple[tuple[str, int], ...] = ()  # (kind, count) of the changes told to suppliers that day


@dataclass(frozen=True, slots=True)
class Digest:
    text: str
    card: Card
    figures: DigestFigures


@dataclass(frozen=True, slots=True)
class DigestSources:
    """Where the figures come from: the business backend and the bot's own tables."""

    backend: Backend
    sessionmaker: Sessionmaker


def day_window(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC (DST days are 23 or 25 hours long)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def previous_local_day(now: datetime, tz: str | ZoneInfo) -> date:
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return now.astimezone(zone).date() - timedelta(days=1)


async def collect_figures(
    sources: DigestSources, *, day: date, tz: str | ZoneInfo, now: datetime
) -> DigestFigures:
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    start, end = day_window(day, zone)
    orders = await sources.backend.order_activity(start, end, as_of=day + timedelta(days=1))
    load = await escalation_load(sources.sessionmaker, now=now)
    intents = await intents_asked(sources.sessionmaker, start=start, end=end)
    support = await support_day(sources.sessionmaker, start=start, end=end)
    bank_requests = await bank_detail_requests(sources.sessionmaker, start=start, end=end)
    changes = await changes_told(sources.sessionmaker, start=start, end=end)
    return DigestFigures(
        day=day,
        timezone=zone.key,
        order_count=orders.order_count,
        revenue=orders.revenue,
        late_orders=orders.late_orders,
        open_escalations=load.open,
        unclaimed_escalations=load.unclaimed,
        sla_breaches=load.sla_breaches,
        questions=sum(n for _i, n in intents),
        top_intents=tuple(intents[:TOP_INTENTS]),
        support=support,
        bank_detail_requests=bank_requests,
        changes=changes,
    )


async def bank_detail_requests(sessionmaker: Sessionmaker, *, start: datetime, end: datetime) -> int:
    """Escalations opened in [start, end) because someone asked to change bank details."""
    query = select(EscalationRow.reasons).where(
        EscalationRow.created_at >= start, EscalationRow.created_at < end
    )
    async with sessionmaker() as s:
        rows = (await s.execute(query)).scalars().all()
    return sum(
        1
        for reasons in rows
        if any(isinstance(r, dict) and r.get("code") == ReasonCode.RISK_BANK_DETAILS for r in reasons or ())
    )


_CHANGE_LABELS = {
    "order_shipped": "shipped",
    "order_delivered": "delivered",
    "order_eta": "ETA moved",
    "invoice_scheduled": "invoices scheduled",
    "invoice_paid": "invoices paid",
}


async def changes_told(
    sessionmaker: Sessionmaker, *, start: datetime, end: datetime
) -> tuple[tuple[str, int], ...]:
    """How many changes of each kind (bot.notifications.changes) imports made in [start, end)."""
    query = (
        select(DataChangeRow.kind, func.count())
        .where(DataChangeRow.changed_at >= start, DataChangeRow.changed_at < end)
        .group_by(DataChangeRow.kind)
    )
    async with sessionmaker() as s:
        counts = {str(kind): int(n) for kind, n in (await s.execute(query)).all()}
    return tuple((kind, counts[kind]) for kind in _CHANGE_LABELS if counts.get(kind))


def _changes_line(changes: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{n} {_CHANGE_LABELS.get(kind, kind)}" for kind, n in changes)


def _money(revenue: tuple[tuple[str, Decimal], ...]) -> str:
    if not revenue:
        return "0.00"
    return ", ".join(f"{cur} {amount:,.2f}" for cur, amount in revenue)


def _intent_label(intent: str) -> str:
    return "not understood" if intent == "out_of_scope" else intent.replace("_", " ")


def _support_line(day: SupportDay) -> str:
    claim = (
        f"median {day.median_minutes_to_claim:g} min to claim"
        if day.median_minutes_to_claim is not None
        else "none claimed"
    )
    csat = (
        f"CSAT {day.csat_average:.1f}/5 ({day.csat_count})" if day.csat_average is not None else "no ratings"
    )
    return f"{day.opened} opened, {day.resolved} resolved, {claim}, {day.sla_breaches} SLA breaches, {csat}"


def render_digest(f: DigestFigures) -> Digest:
    """The figures as a card, and as plain text for notifications and the CLI preview."""
    title = f"Daily digest for {f.day:%a %d %b %Y}"
    late_ids = ", ".join(f.late_orders[:MAX_LATE_LISTED]) + (
        f" (+{len(f.late_orders) - MAX_LATE_LISTED} more)" if len(f.late_orders) > MAX_LATE_LISTED else ""
    )
    escalations = (
        f"{f.open_escalations} open ({f.unclaimed_escalations} unclaimed), {f.sla_breaches} past SLA"
    )
    intents = ", ".join(f"{_intent_label(i)} ({n})" for i, n in f.top_intents) or "none"
    support = _support_line(f.support)
    lines = [
        title,
        f"Orders: {f.order_count} · Revenue: {_money(f.revenue)}",
        f"Late orders: {len(f.late_orders)}" + (f" ({late_ids})" if late_ids else ""),
        f"Escalations: {escalations}",
        f"Support: {support}",
        f"Top questions ({f.questions} asked): {intents}",
    ]
    fields = [
        ("Orders", str(f.order_count)),
        ("Revenue", _money(f.revenue)),
        ("Late orders", str(len(f.late_orders))),
        ("Escalations", escalations),
        ("Support", support),
    ]
    if f.changes:  # what changed for suppliers (the notifications' changes)
        lines.append(f"What changed: {_changes_line(f.changes)}")
        fields.append(("What changed", _changes_line(f.changes)))
    if f.bank_detail_requests:
        risk = f"{f.bank_detail_requests} asked to change bank details (call back before any change)"
        lines.insert(4, f"Risk: {risk}")
        fields.append(("Risk", risk))
    card = Card(
        title=title,
        fields=tuple(fields),
        sections=((f"Late: {late_ids}",) if late_ids else ())
        + (f"Top questions ({f.questions}): {intents}",),
        context=(f"{f.day.isoformat()}, {f.timezone} time",),
    )
    return Digest(text="\n".join(lines), card=card, figures=f)


async def build_digest(sources: DigestSources, *, day: date, tz: str | ZoneInfo, now: datetime) -> Digest:
    """The digest of local calendar day `day` in `tz`; SLA breaches are judged at `now`."""
    return render_digest(await collect_figures(sources, day=day, tz=tz, now=now))


async def post_digest_once(
    sources: DigestSources,
    outbox: Outbox,
    deliver_now: DeliverNow | None = None,
    *,
    day: date,
    tz: str | ZoneInfo,
    channel: str,
    clock: Clock,
    period_key: str | None = None,
    job: str = JOB_NAME,
) -> bool:
    """Queue the digest of `day` once per (job, period key), and with `deliver_now` post it right away.

    Returns True when this call claimed the period, False when another call or process already had.
    """
    if not channel:
        raise ValueError("slack.digest.channel is not set")
    digest = await build_digest(sources, day=day, tz=tz, now=clock())
    key = period_key or day.isoformat()
    message = OutgoingMessage(
        conversation=ConversationKey(Platform.SLACK, channel),
        text=digest.text,
        card=digest.card,
        kind="digest",
        metadata={"job": job, "period_key": key},
    )
    outbox_id = await outbox.add_once(message, job=job, period_key=key)
    if outbox_id is None:
        logger.info("digest %s/%s already queued by another run; skipped", job, key)
        return False
    logger.info("digest %s/%s queued as outbox %s for %s", job, key, outbox_id, channel)
    if deliver_now is not None:
        await deliver_now(outbox_id)
    return True


async def run_scheduled_digest(
    sources: DigestSources,
    outbox: Outbox,
    *,
    settings: SlackDigestSettings,
    clock: Clock,
    wake: Callable[[], None] | None = None,
) -> bool:
    """The cron job: yesterday's digest (local to settings.timezone), period key = that day."""
    day = previous_local_day(clock(), settings.timezone)
    try:
        posted = await post_digest_once(
            sources, outbox, day=day, tz=settings.timezone, channel=settings.channel, clock=clock
        )
    except Exception:
        logger.exception("daily digest for %s failed", day)
        return False
    if posted and wake is not None:
        wake()
    return posted


def schedule_digest(
    scheduler: AsyncIOScheduler,
    *,
    sources: DigestSources,
    outbox: Outbox,
    settings: SlackDigestSettings,
    clock: Clock,
    wake: Callable[[], None] | None = None,
) -> Job | None:
    """Add the digest cron job (settings.cron in settings.timezone); None when no channel is set.

    Use day names in the cron day-of-week field ("mon-fri"): APScheduler numbers days from Monday=0.
    """
    if not settings.channel:
        logger.info("slack.digest.channel is empty; the daily digest is off")
        return None
    trigger = CronTrigger.from_crontab(settings.cron, timezone=ZoneInfo(settings.timezone))
    return scheduler.add_job(
        stops_quietly(run_scheduled_digest),
        trigger,
        args=(sources, outbox),
        kwargs={"settings": settings, "clock": clock, "wake": wake},
        id=JOB_NAME,
        name="daily Slack digest",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,  # a restart within the hour still posts (once: see job_runs)
    )


def manual_period_key(today: date, *, force_tag: str = "") -> str:
    return f"{today.isoformat()}:manual" + (f":{force_tag}" if force_tag else "")

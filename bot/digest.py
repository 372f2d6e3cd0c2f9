"""The daily sales digest for Slack: figures from the database, posted once per period.

`post_digest_once` inserts a JobRunRow ("slack_digest", period key) and the digest's outbox row in
one transaction. The unique (job, period_key) key makes exactly one process win, and the outbox row
makes delivery durable: if the immediate post fails (or no poster is given), the outbox sender
delivers it through SlackAdapter.send with its usual retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.base import SendResult
from adapters.slack_convert import escape_mrkdwn
from bot.cli_base import ConfigOption, app
from bot.config import SlackDigestSettings
from bot.storage.models import EscalationRow, JobRunRow, OrderRow, OutboxRow, TurnEventRow
from bot.storage.serde import outgoing_to_json
from dialogue.clock import Clock, system_clock
from dialogue.errors import DeliveryError
from dialogue.messages import ConversationKey, OutgoingMessage, Platform

logger = logging.getLogger(__name__)

JOB_NAME = "slack_digest"
OPEN_ORDER_STATUSES = ("pending_confirmation", "confirmed", "shipped")
OPEN_ESCALATION_STATUSES = ("pending", "assigned")
MAX_LATE_LISTED = 10
TOP_INTENTS = 5
POST_LEASE_SECONDS = 120.0  # the outbox sender leaves a row being posted directly alone this long
RETRY_AFTER_FAILED_POST_SECONDS = 30.0

Poster = Callable[[OutgoingMessage], Awaitable[SendResult]]
Sessionmaker = async_sessionmaker[AsyncSession]


@dataclass(frozen=True, slots=True)
class DigestFigures:
    day: date
    timezone: str
    order_count: int
    revenue: tuple[tuple[str, Decimal], ...]  # (currency, amount), biggest first
    late_orders: tuple[str, ...]  # open orders past their ETA / promised date, oldest first
    open_escalations: int
    unclaimed_escalations: int
    sla_breaches: int  # open escalations past their claim or resolve due time
    questions: int  # user turns with an intent
    top_intents: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Digest:
    text: str
    blocks: list[dict[str, Any]]
    figures: DigestFigures


def day_window(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC (DST days are 23 or 25 hours long)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


async def collect_figures(
    sessionmaker: Sessionmaker, *, day: date, tz: str | ZoneInfo, now: datetime
) -> DigestFigures:
    zone = _zone(tz)
    start, end = day_window(day, zone)
    report_date = day + timedelta(days=1)
    async with sessionmaker() as s:
        revenue_rows = (
            await s.execute(
                select(OrderRow.currency, func.count(), func.sum(OrderRow.total))
                .where(
                    OrderRow.created_at >= start, OrderRow.created_at < end, OrderRow.status != "cancelled"
                )
                .group_by(OrderRow.currency)
            )
        ).all()
        open_orders = (
            await s.execute(
                select(OrderRow.id, OrderRow.eta, OrderRow.promised_date).where(
                    OrderRow.status.in_(OPEN_ORDER_STATUSES)
                )
            )
        ).all()
        escalations = (
            await s.execute(
                select(EscalationRow.status, EscalationRow.claim_due_at, EscalationRow.resolve_due_at).where(
                    EscalationRow.status.in_(OPEN_ESCALATION_STATUSES)
                )
            )
        ).all()
        intent_rows = (
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
    # Late: the same rule as the backend's sales summary (ETA, else promised date, has passed).
    late = sorted(
        ((r.eta or r.promised_date), r.id)
        for r in open_orders
        if (r.eta or r.promised_date) is not None and (r.eta or r.promised_date) < report_date
    )
    breaches = sum(
        1 for e in escalations if (e.status == "pending" and e.claim_due_at < now) or e.resolve_due_at < now
    )
    intents = sorted(((str(r.intent), int(r.n)) for r in intent_rows), key=lambda p: (-p[1], p[0]))
    revenue = sorted(
        ((str(cur), Decimal(total or 0)) for cur, _n, total in revenue_rows), key=lambda p: (-p[1], p[0])
    )
    return DigestFigures(
        day=day,
        timezone=zone.key,
        order_count=sum(int(n) for _cur, n, _total in revenue_rows),
        revenue=tuple(revenue),
        late_orders=tuple(order_id for _due, order_id in late),
        open_escalations=len(escalations),
        unclaimed_escalations=sum(1 for e in escalations if e.status == "pending"),
        sla_breaches=breaches,
        questions=sum(n for _i, n in intents),
        top_intents=tuple(intents[:TOP_INTENTS]),
    )


def _money(revenue: tuple[tuple[str, Decimal], ...]) -> str:
    if not revenue:
        return "0.00"
    return ", ".join(f"{cur} {amount:,.2f}" for cur, amount in revenue)


def _intent_label(intent: str) -> str:
    return "not understood" if intent == "out_of_scope" else intent.replace("_", " ")


def render_digest(f: DigestFigures) -> Digest:
    """Plain text (notification fallback) and Block Kit for the figures."""
    title = f"Daily digest for {f.day:%a %d %b %Y}"
    late_ids = ", ".join(f.late_orders[:MAX_LATE_LISTED]) + (
        f" (+{len(f.late_orders) - MAX_LATE_LISTED} more)" if len(f.late_orders) > MAX_LATE_LISTED else ""
    )
    escalations = (
        f"{f.open_escalations} open ({f.unclaimed_escalations} unclaimed), {f.sla_breaches} past SLA"
    )
    intents = ", ".join(f"{_intent_label(i)} ({n})" for i, n in f.top_intents) or "none"
    lines = [
        title,
        f"Orders: {f.order_count} · Revenue: {_money(f.revenue)}",
        f"Late orders: {len(f.late_orders)}" + (f" ({late_ids})" if late_ids else ""),
        f"Escalations: {escalations}",
        f"Top questions ({f.questions} asked): {intents}",
    ]
    e = escape_mrkdwn
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Orders*\n{f.order_count}"},
                {"type": "mrkdwn", "text": f"*Revenue*\n{e(_money(f.revenue))}"},
                {"type": "mrkdwn", "text": f"*Late orders*\n{len(f.late_orders)}"},
                {"type": "mrkdwn", "text": f"*Escalations*\n{e(escalations)}"},
            ],
        },
    ]
    if late_ids:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Late:* {e(late_ids)}"[:3000]}}
        )
    blocks.append(
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*Top questions* ({f.questions}): {e(intents)}"},
        }
    )
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"{f.day.isoformat()}, {e(f.timezone)} time"}],
        }
    )
    return Digest(text="\n".join(lines), blocks=blocks, figures=f)


async def build_digest(
    sessionmaker: Sessionmaker, *, day: date, tz: str | ZoneInfo, now: datetime | None = None
) -> Digest:
    """The digest of local calendar day `day` in `tz`; SLA breaches are judged at `now`."""
    figures = await collect_figures(sessionmaker, day=day, tz=tz, now=now or system_clock())
    return render_digest(figures)


def _insert(sessionmaker: Sessionmaker, table: Any) -> Any:
    bind = sessionmaker.kw.get("bind")
    dialect = bind.dialect.name if bind is not None else "sqlite"
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


async def post_digest_once(
    sessionmaker: Sessionmaker,
    poster: Poster | None = None,
    *,
    day: date,
    tz: str | ZoneInfo,
    channel: str,
    period_key: str | None = None,
    clock: Clock = system_clock,
    job: str = JOB_NAME,
) -> bool:
    """Queue (and with `poster`, post right away) the digest of `day`, once per (job, period_key).

    Returns True when this call claimed the period, False when another call or process already had.
    The JobRunRow and the outbox row commit together before anything is posted; a failed immediate
    post leaves the row to the outbox sender (transient) or marks it failed (permanent).
    """
    if not channel:
        raise ValueError("slack.digest.channel is not set")
    now = clock()
    digest = await build_digest(sessionmaker, day=day, tz=tz, now=now)
    key = period_key or day.isoformat()
    message = OutgoingMessage(
        conversation=ConversationKey(Platform.SLACK, channel),
        text=digest.text,
        kind="digest",
        metadata={"slack_blocks": digest.blocks, "job": job, "period_key": key},
    )
    async with sessionmaker.begin() as s:
        claimed = (
            await s.execute(
                _insert(sessionmaker, JobRunRow)
                .values(job=job, period_key=key, created_at=now)
                .on_conflict_do_nothing()
                .returning(JobRunRow.id)
            )
        ).scalar_one_or_none()
        if claimed is None:
            logger.info("digest %s/%s already posted by another run; skipped", job, key)
            return False
        outbox_id = (
            await s.execute(
                _insert(sessionmaker, OutboxRow)
                .values(
                    inbox_id=None,
                    conversation_key=message.conversation.as_str(),
                    platform=Platform.SLACK.value,
                    payload=outgoing_to_json(message),
                    status="sending" if poster is not None else "pending",
                    attempts=0,
                    next_attempt_at=now,
                    lease_until=now + timedelta(seconds=POST_LEASE_SECONDS) if poster is not None else None,
                    created_at=now,
                )
                .returning(OutboxRow.id)
            )
        ).scalar_one()
    logger.info("digest %s/%s queued as outbox %s for %s", job, key, outbox_id, channel)
    if poster is not None:
        await _post_now(sessionmaker, poster, message, outbox_id, clock)
    return True


async def _post_now(
    sessionmaker: Sessionmaker, poster: Poster, message: OutgoingMessage, outbox_id: int, clock: Clock
) -> None:
    values: dict[str, Any]
    try:
        result = await poster(message)
    except DeliveryError as exc:
        if exc.permanent:
            values = {"status": "failed", "error": exc.reason[:4000]}
        else:
            delay = exc.retry_after if exc.retry_after is not None else RETRY_AFTER_FAILED_POST_SECONDS
            values = {
                "status": "pending",
                "error": exc.reason[:4000],
                "next_attempt_at": clock() + timedelta(seconds=delay),
            }
        logger.warning("digest outbox %s: post failed (%s); %s", outbox_id, exc.reason, values["status"])
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # leave it to the outbox sender
        logger.exception("digest outbox %s: post failed unexpectedly", outbox_id)
        values = {
            "status": "pending",
            "error": f"{type(exc).__name__}: {exc}"[:4000],
            "next_attempt_at": clock() + timedelta(seconds=RETRY_AFTER_FAILED_POST_SECONDS),
        }
    else:
        values = {
            "status": "sent",
            "platform_message_id": result.platform_message_id or None,
            "sent_at": clock(),
            "error": None,
        }
    async with sessionmaker.begin() as s:
        await s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == outbox_id)
            .values(attempts=OutboxRow.attempts + 1, lease_until=None, **values)
        )


# --- scheduling ----------------------------------------------------------------------------------


def previous_local_day(now: datetime, tz: str | ZoneInfo) -> date:
    return now.astimezone(_zone(tz)).date() - timedelta(days=1)


async def run_scheduled_digest(
    sessionmaker: Sessionmaker,
    *,
    settings: SlackDigestSettings,
    poster: Poster | None = None,
    wake: Callable[[], None] | None = None,
    clock: Clock = system_clock,
) -> bool:
    """The cron job: yesterday's digest (local to settings.timezone), period key = that day."""
    day = previous_local_day(clock(), settings.timezone)
    try:
        posted = await post_digest_once(
            sessionmaker, poster, day=day, tz=settings.timezone, channel=settings.channel, clock=clock
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
    sessionmaker: Sessionmaker,
    settings: SlackDigestSettings,
    poster: Poster | None = None,
    wake: Callable[[], None] | None = None,
    clock: Clock = system_clock,
    job_id: str = JOB_NAME,
) -> Job | None:
    """Add the digest cron job (settings.cron in settings.timezone); None when no channel is set.

    Use day names in the cron day-of-week field ("mon-fri"): APScheduler numbers days from Monday=0.
    """
    if not settings.channel:
        logger.info("slack.digest.channel is empty; the daily digest is off")
        return None
    trigger = CronTrigger.from_crontab(settings.cron, timezone=ZoneInfo(settings.timezone))
    return scheduler.add_job(
        run_scheduled_digest,
        trigger,
        args=(sessionmaker,),
        kwargs={"settings": settings, "poster": poster, "wake": wake, "clock": clock},
        id=job_id,
        name="daily Slack digest",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,  # a restart within the hour still posts (once: see JobRunRow)
    )


# --- CLI -----------------------------------------------------------------------------------------


def manual_period_key(today: date, *, force_tag: str = "") -> str:
    return f"{today.isoformat()}:manual" + (f":{force_tag}" if force_tag else "")


async def _digest_cli(config_path: Path | None, *, now_flag: bool, day_text: str | None, force: bool) -> int:
    from adapters.slack_send import SlackSender, make_web_client
    from bot.config import load_config
    from bot.storage.db import make_engine, make_sessionmaker

    config = load_config(config_path)
    slack = config.settings.slack
    digest_settings = slack.digest
    now = system_clock()
    tz = ZoneInfo(digest_settings.timezone)
    day = date.fromisoformat(day_text) if day_text else previous_local_day(now, tz)
    engine = make_engine(config.database_url)
    try:
        sm = make_sessionmaker(engine)
        if not now_flag:
            typer.echo((await build_digest(sm, day=day, tz=tz, now=now)).text)
            return 0
        if not digest_settings.channel:
            typer.echo("slack.digest.channel is not set in config.yaml", err=True)
            return 2
        poster: Poster | None = None
        token = config.secrets.SLACK_BOT_TOKEN
        if token and slack.mode != "off":
            sender = SlackSender(
                client=make_web_client(token, slack.api_base_url), per_channel_interval_seconds=0
            )
            poster = sender.send
        today = now.astimezone(tz).date()
        key = manual_period_key(today, force_tag=now.strftime("%H%M%S") if force else "")
        posted = await post_digest_once(
            sm, poster, day=day, tz=tz, channel=digest_settings.channel, period_key=key
        )
        if not posted:
            typer.echo(f"a manual digest was already posted today ({key}); use --force to post another")
        elif poster is None:
            typer.echo(
                "digest queued; the running bot's outbox sender will deliver it (no SLACK_BOT_TOKEN here)"
            )
        else:
            typer.echo(f"digest for {day.isoformat()} posted to {digest_settings.channel}")
        return 0
    finally:
        await engine.dispose()


@app.command("digest")
def digest_command(
    now: bool = typer.Option(False, "--now", help="Post the digest to slack.digest.channel now."),
    day: str | None = typer.Option(
        None, "--day", help="Report this local day (YYYY-MM-DD); default yesterday."
    ),
    force: bool = typer.Option(
        False, "--force", help="With --now: post even if a manual digest went out today."
    ),
    config: Path | None = ConfigOption,
) -> None:
    """Show the daily Slack sales digest, or post it with --now (once per day unless --force)."""
    raise typer.Exit(asyncio.run(_digest_cli(config, now_flag=now, day_text=day, force=force)))

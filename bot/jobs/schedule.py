"""Every scheduled job, installed in one place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.slack.settings import SlackDigestSettings
from bot.config import SchedulerSettings
from bot.jobs.digest import DigestSources, schedule_digest
from bot.jobs.maintenance import apply_retention, expire_sessions
from bot.storage.dialect import Sessionmaker
from bot.storage.outbox import Outbox
from dialogue.clock import Clock

_ONE_AT_A_TIME = {"replace_existing": True, "coalesce": True, "max_instances": 1}


def build_scheduler(
    *,
    settings: SchedulerSettings,
    timezone: str,
    sessionmaker: Sessionmaker,
    clock: Clock,
    session_ttl: timedelta,
    digest: SlackDigestSettings | None,
    digest_sources: DigestSources,
    outbox: Outbox,
    wake_sender: Callable[[], None],
) -> AsyncIOScheduler:
    """The scheduler with every job; `digest` is None when there is no Slack to post it to."""
    scheduler = AsyncIOScheduler(timezone=timezone)
    scheduler.add_job(
        expire_sessions,
        "interval",
        seconds=settings.session_expiry_seconds,
        args=[sessionmaker],
        kwargs={"clock": clock, "ttl": session_ttl},
        id="expire_sessions",
        **_ONE_AT_A_TIME,
    )
    scheduler.add_job(
        apply_retention,
        "cron",
        hour=3,
        minute=17,
        args=[sessionmaker],
        kwargs={"clock": clock, "days": settings.retention_days},
        id="retention",
        **_ONE_AT_A_TIME,
    )
    if digest is not None:
        schedule_digest(
            scheduler, sources=digest_sources, outbox=outbox, settings=digest, clock=clock, wake=wake_sender
        )
    return scheduler

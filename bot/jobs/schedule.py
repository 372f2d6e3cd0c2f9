"""Every scheduled job, installed in one place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.slack.settings import SlackDigestSettings
from bot.config import ApiSettings, SchedulerSettings
from bot.jobs.digest import DigestSources, schedule_digest
from bot.jobs.maintenance import apply_retention, expire_sessions
from bot.jobs.notifications import JOB_NAME as RELEASE_NOTIFICATIONS
from bot.jobs.notifications import release_held
from bot.jobs.shutdown import stops_quietly
from bot.notifications.settings import NotificationSettings
from bot.storage.dialect import Sessionmaker
from bot.storage.outbox import Outbox
from dialogue.clock import Clock
from dialogue.handoff.sla_watch import SlaWatch

logger = logging.getLogger(__name__)

_ONE_AT_A_TIME = {"replace_existing": True, "coalesce": True, "max_instances": 1}


async def run_sla_watch(sla: SlaWatch, wake_sender: Callable[[], None]) -> int:
    """The SLA ladder, from stored state; wakes the sender when a step queued a message."""
    try:
        fired = await sla.tick()
    except Exception:
        logger.exception("SLA watch failed; it runs again at the next interval")
        return 0
    if fired:
        wake_sender()
    return len(fired)


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
    sla: SlaWatch,
    sla_every_seconds: float,
    notifications: NotificationSettings | None = None,
    api: ApiSettings | None = None,
    handbook_store: Path | None = None,
) -> AsyncIOScheduler:
    """The scheduler with every job; `digest` is None when there is no Slack to post it to."""
    scheduler = AsyncIOScheduler(timezone=timezone)
    scheduler.add_job(
        stops_quietly(expire_sessions),
        "interval",
        seconds=settings.session_expiry_seconds,
        args=[sessionmaker],
        kwargs={"clock": clock, "ttl": session_ttl},
        id="expire_sessions",
        **_ONE_AT_A_TIME,
    )
    scheduler.add_job(
        stops_quietly(apply_retention),
        "cron",
        hour=3,
        minute=17,
        args=[sessionmaker],
        kwargs={
            "clock": clock,
            "days": settings.retention_days,
            "batch_days": (api or ApiSettings()).batch_retention_days,
            "handbook_store": handbook_store,
        },
        id="retention",
        **_ONE_AT_A_TIME,
    )
    scheduler.add_job(
        stops_quietly(run_sla_watch),
        "interval",
        seconds=sla_every_seconds,
        args=[sla, wake_sender],
        id="sla_watch",
        **_ONE_AT_A_TIME,
    )
    scheduler.add_job(
        stops_quietly(release_held),
        "interval",
        seconds=(notifications or NotificationSettings()).release_every_seconds,
        args=[sessionmaker],
        kwargs={"clock": clock, "wake": wake_sender},
        id=RELEASE_NOTIFICATIONS,
        **_ONE_AT_A_TIME,
    )
    if digest is not None:
        schedule_digest(
            scheduler, sources=digest_sources, outbox=outbox, settings=digest, clock=clock, wake=wake_sender
        )
    return scheduler

"""`opsbot digest`: preview the daily Slack digest, or post it now."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.base import ConfigOption, app, command, fail, load, with_engine
from bot.config import AppConfig
from bot.jobs.digest import (
    DigestSources,
    build_digest,
    manual_period_key,
    post_digest_once,
    previous_local_day,
)
from dialogue.clock import system_clock


async def _digest(config: AppConfig, *, post: bool, day: date | None, force: bool) -> str:
    from adapters.slack.outbound import SlackSender, make_web_client
    from bot.metrics import Metrics
    from bot.notify import Notifier
    from bot.sender import OutboxSender
    from bot.storage.backend import SqlBackend
    from bot.storage.db import make_sessionmaker
    from bot.storage.outbox import Outbox

    slack, digest = config.settings.slack, config.settings.slack.digest
    now = system_clock()
    tz = ZoneInfo(digest.timezone)
    day = day or previous_local_day(now, tz)

    async def go(engine: AsyncEngine) -> str:
        sessionmaker = make_sessionmaker(engine)
        sources = DigestSources(
            backend=SqlBackend(sessionmaker, clock=system_clock), sessionmaker=sessionmaker
        )
        if not post:
            return (await build_digest(sources, day=day, tz=tz, now=now)).text
        outbox = Outbox(sessionmaker, clock=system_clock)
        token = config.secrets.SLACK_BOT_TOKEN
        deliver = None
        if token and slack.mode != "off":
            sender = OutboxSender(
                outbox=outbox,
                adapters={"slack": SlackSender(client=make_web_client(token, slack.api_base_url))},
                settings=config.settings.pipeline,
                metrics=Metrics(),
                notifier=Notifier(),
            )
            deliver = sender.deliver_now
        key = manual_period_key(now.astimezone(tz).date(), force_tag=now.strftime("%H%M%S") if force else "")
        queued = await post_digest_once(
            sources,
            outbox,
            deliver,
            day=day,
            tz=tz,
            channel=digest.channel,
            clock=system_clock,
            period_key=key,
        )
        if not queued:
            return f"a manual digest was already posted today ({key}); use --force to post another"
        if deliver is None:
            return "digest queued; the running bot's outbox sender will deliver it (no SLACK_BOT_TOKEN here)"
        return f"digest for {day.isoformat()} posted to {digest.channel}"

    return await with_engine(config, go)


@command(app, "digest")
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
    settings = load(config)
    if now and not settings.settings.slack.digest.channel:
        raise fail("slack.digest.channel is not set in config.yaml", 2)
    try:
        report_day = date.fromisoformat(day) if day else None
    except ValueError:
        raise fail(f"--day: not a date (YYYY-MM-DD): {day!r}", 2) from None
    typer.echo(asyncio.run(_digest(settings, post=now, day=report_day, force=force)))

"""A restart while a scheduled job runs leaves no error in the log."""

from __future__ import annotations

import asyncio
import logging

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.jobs.shutdown import stops_quietly


async def scan_the_sla_ladder(started: asyncio.Event) -> int:
    started.set()
    await asyncio.sleep(60)  # still working when the process is told to stop
    return 1


@pytest.mark.parametrize("quiet", [False, True])
async def test_a_job_cut_short_by_shutdown_is_an_info_line_not_an_error(
    quiet: bool, caplog: pytest.LogCaptureFixture
) -> None:
    started = asyncio.Event()
    scheduler = AsyncIOScheduler()
    job = stops_quietly(scan_the_sla_ladder) if quiet else scan_the_sla_ladder
    scheduler.add_job(job, "date", args=[started], id="sla_watch")
    caplog.set_level(logging.INFO)
    scheduler.start()
    await asyncio.wait_for(started.wait(), 5)

    scheduler.shutdown(wait=False)  # what SchedulerLeader.stop does
    await asyncio.sleep(0.05)

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    if quiet:
        assert errors == []
        assert "scheduled job scan_the_sla_ladder stopped: the scheduler is shutting down" in caplog.text
    else:  # APScheduler's own behaviour, which the wrapper is there for
        [error] = errors
        assert (
            error.getMessage().startswith('Job "scan_the_sla_ladder')
            and "raised an exception" in error.getMessage()
        )
        assert error.exc_info is not None and error.exc_info[0] is asyncio.CancelledError

"""A scheduled job that is running when the process stops ends quietly, not with an error and a traceback."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


def stops_quietly(job: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T | None]]:
    """`job`, ended by the scheduler's shutdown without an error in the log.

    APScheduler's shutdown cancels the coroutine jobs still running and logs each cancellation as
    'Job ... raised an exception' with a traceback: an error an operator would chase after every
    ordinary restart. What the job had not committed is rolled back and runs again next time.
    """

    @functools.wraps(job)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T | None:
        try:
            return await job(*args, **kwargs)
        except asyncio.CancelledError:
            logger.info("scheduled job %s stopped: the scheduler is shutting down", job.__name__)
            return None

    return run

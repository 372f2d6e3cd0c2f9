"""Warnings about refused requests, at most one per reason per interval, so garbage cannot flood the log.

The first warning of a reason is logged at once; repeats within `interval_seconds` are only counted,
and the next warning after the interval says how many were suppressed. Time is injected.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

MonotonicClock = Callable[[], float]

_MAX_REASONS = 1000  # distinct reasons remembered; beyond that the oldest are forgotten


@dataclass(slots=True)
class _Window:
    started: float
    suppressed: int = 0


class ThrottledLog:
    """Logs `warning(reason, ...)` at most once per reason per `interval_seconds`."""

    def __init__(
        self,
        logger: logging.Logger,
        *,
        interval_seconds: float = 60.0,
        clock: MonotonicClock = time.monotonic,
    ) -> None:
        self._logger = logger
        self._interval = interval_seconds
        self._clock = clock
        self._windows: dict[str, _Window] = {}

    def warning(self, reason: str, message: str, *args: object) -> bool:
        """Log `message % args` (plus a count of suppressed repeats) unless `reason` was logged lately."""
        now = self._clock()
        window = self._windows.get(reason)
        if window is not None and now - window.started < self._interval:
            window.suppressed += 1
            return False
        suppressed = window.suppressed if window is not None else 0
        self._windows.pop(reason, None)
        self._windows[reason] = _Window(now)
        while len(self._windows) > _MAX_REASONS:
            self._windows.pop(next(iter(self._windows)))
        if suppressed:
            self._logger.warning(
                message + " (%d similar suppressed in the last %.0f s)", *args, suppressed, self._interval
            )
        else:
            self._logger.warning(message, *args)
        return True

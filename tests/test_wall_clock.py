"""The --wall-clock option (.ci/date_check) moves the app's system clock and leaves monotonic time alone."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from dialogue.clock import system_clock


def test_the_wall_clock_is_where_the_option_put_it(request: pytest.FixtureRequest) -> None:
    value = request.config.getoption("--wall-clock")
    if not value:
        pytest.skip("the wall clock is not moved (run with --wall-clock=2028-02-29T10:00:00Z)")
    moved = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    now = system_clock()  # the app's clock follows the moved wall clock
    assert moved <= now < moved + timedelta(hours=1)  # it ticks on from there
    assert abs(time.time() - now.timestamp()) < 60
    before = time.monotonic()
    time.sleep(0.01)
    assert 0.005 < time.monotonic() - before < 5  # monotonic time runs as ever

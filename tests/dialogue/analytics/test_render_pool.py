"""Charts drawn once per distinct figures, off the event loop, in a process of their own where installed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from dialogue.analytics import charts
from dialogue.analytics.render_pool import InThreadOffload, ProcessOffload, cache_key
from tests.dialogue.analytics.test_trends import report

CALLS: list[int] = []


def counted_square(x: int) -> int:
    CALLS.append(x)
    return x * x


def pid_of(_x: int) -> int:
    return os.getpid()


def forecast_args(sku: str = "AB-1020") -> tuple[object, ...]:
    weeks = tuple(date(2026, 1, 5) + timedelta(weeks=k) for k in range(10))
    future = tuple(weeks[-1] + timedelta(weeks=k) for k in (1, 2))
    return (sku, weeks, tuple(range(10)), future, (9.0, 9.5), (7.0, 7.0), (11.0, 12.0), "en")


@pytest.fixture
def in_thread() -> Iterator[InThreadOffload]:
    offload = InThreadOffload()
    previous = charts.use_offload(offload)
    yield offload
    charts.use_offload(previous)


async def test_the_same_figures_are_drawn_once_and_other_figures_again(in_thread: InThreadOffload) -> None:
    first = await charts.render(charts.trend_chart, report(), "en")
    again = await charts.render(charts.trend_chart, report(), "en")
    chinese = await charts.render(charts.trend_chart, report(), "zh")
    assert again.png == first.png and chinese.title != first.title
    assert (in_thread.cache.misses, in_thread.cache.hits) == (2, 1)


async def test_concurrent_askers_of_one_chart_share_one_drawing(in_thread: InThreadOffload) -> None:
    CALLS.clear()
    results = await asyncio.gather(*(in_thread.run(counted_square, 7) for _ in range(5)))
    assert results == [49] * 5 and CALLS == [7]


def test_a_closure_is_never_cached_by_its_name() -> None:
    def draw(x: int) -> int:
        return x

    assert cache_key(draw, (1,)) is None and cache_key(lambda x: x, (1,)) is None
    assert (
        cache_key(counted_square, (1,)) == cache_key(counted_square, (1,)) != cache_key(counted_square, (2,))
    )


@pytest.mark.slow
async def test_a_process_offload_draws_in_another_process_and_caches() -> None:
    offload = ProcessOffload(warm_modules=("dialogue.analytics.charts",))
    previous = charts.use_offload(offload)
    try:
        await offload.warm()
        assert await offload.run(pid_of, 1) != os.getpid()
        chart = await charts.render(charts.forecast_chart, *forecast_args())
        again = await charts.render(charts.forecast_chart, *forecast_args())
        other = await charts.render(charts.forecast_chart, *forecast_args("KX-550"))
        assert chart.png.startswith(b"\x89PNG") and again == chart and "KX-550" in other.title
        assert offload.cache.hits == 1
    finally:
        charts.use_offload(previous)
        offload.close()

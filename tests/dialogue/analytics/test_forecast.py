"""Demand forecasts: methods, intervals, errors and the stock outlook."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from dialogue.analytics.forecast import (
    ForecastError,
    choose_method,
    forecast,
    mape,
    mase,
    stock_outlook,
)
from nlu.periods import horizon_weeks


def trending(weeks: int = 60, seed: int = 3) -> list[float]:
    rng = np.random.default_rng(seed)
    return [float(max(0.0, 50 + 1.5 * t + rng.normal(0, 4))) for t in range(weeks)]


def test_the_backtests_method_is_the_default_and_too_short_is_an_error() -> None:
    assert choose_method(10) == choose_method(156) == "moving_average"
    assert forecast([5, 7, 6, 8, 9, 7], 3).method == "moving_average"
    with pytest.raises(ForecastError):
        forecast([1, 2], 2)


def test_smoothing_follows_a_trend_better_than_naive() -> None:
    series = trending()
    train, actual = series[:-4], series[-4:]
    smooth = forecast(train, 4, method="damped_ets")
    naive = forecast(train, 4, method="naive")
    assert smooth.method == "damped_ets"
    assert mase(actual, smooth.mean, train) < mase(actual, naive.mean, train)
    assert all(lo <= m <= hi for lo, m, hi in zip(smooth.low, smooth.mean, smooth.high, strict=True))
    assert smooth.high[-1] - smooth.low[-1] > smooth.high[0] - smooth.low[0]  # wider further ahead
    assert smooth.total == pytest.approx(sum(smooth.mean))


def test_errors() -> None:
    assert mape([100, 0, 50], [110, 5, 50]) == pytest.approx(0.05)  # the zero week is skipped
    assert mase([10, 12], [10, 12], [1, 2, 3]) == 0.0
    assert math.isinf(mase([1], [2], [5, 5, 5]))


def test_stock_outlook_runs_out_and_reorders() -> None:
    result = forecast([70.0] * 20, 4)
    outlook = stock_outlook(100, result, lead_time_days=14)
    assert outlook.weekly_rate == pytest.approx(70, abs=1)
    assert outlook.days_of_stock == pytest.approx(10, abs=0.5)  # 100 units at 10 a day
    assert outlook.reorder_quantity == pytest.approx(70 * 6 - 100, abs=15)  # lead time + 4 weeks - stock
    assert stock_outlook(10_000, result, lead_time_days=14).reorder_quantity == 0


def test_horizon_words() -> None:
    assert horizon_weeks("how many AB-1020 will we need next month") == 4
    assert horizon_weeks("AB-1020下个月要备多少货") == 4
    assert horizon_weeks("forecast HE-100 for the next 6 weeks") == 6
    assert horizon_weeks("未来八周 HE-110 需要多少") == 8
    assert horizon_weeks("next quarter") == 13
    assert horizon_weeks("HE-100 demand") == 4


def test_without_statsmodels_the_default_forecast_works_and_smoothing_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "statsmodels.tsa.holtwinters", None)  # as if not installed
    assert forecast([5, 7, 6, 8, 9, 7], 3).method == "moving_average"
    with pytest.raises(ForecastError, match=r"opsbot\[forecast\]"):
        forecast(trending(), 4, method="damped_ets")

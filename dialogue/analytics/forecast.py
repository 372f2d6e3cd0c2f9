"""Weekly demand forecasts: the mean of the last four weeks, or another method asked for by name.

`bench/forecast_backtest.py` compares the methods on the demo history as seeded (rolling origin, MASE
and MAPE) against the naive and seasonal-naive forecasts, and `choose_method` follows its result: the
mean of the last four weeks had the lowest MASE (3.28, naive 3.77), ahead of seasonal Holt-Winters
(3.35) and damped-trend smoothing (3.43): the seeded history mixes a smooth weekly signal with large
one-off orders, which the smoothing methods chase (on the weekly signal alone damped-trend smoothing
won: 1.44 against the mean's 1.48 and naive's 1.67). Choosing a method per SKU by a backtest on each
SKU's own history before the origin (4 inner origins) did worse still: MASE 3.44 against the mean's
3.28. So the bot never needs exponential smoothing, and statsmodels is an optional extra
(`pip install 'opsbot[forecast]'`, also in `dev`): `forecast(method="damped_ets" | "seasonal_ets")`
raises ForecastError without it. The interval is the forecast +- z x the in-sample one-step residual
spread, widened with the square root of the horizon; it is floored at zero.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SEASON = 52
MIN_WEEKS = 4
Z = {0.8: 1.2816, 0.9: 1.6449, 0.95: 1.96}
METHODS = ("moving_average", "damped_ets", "seasonal_ets", "naive", "seasonal_naive")
FloatArray = npt.NDArray[np.float64]


class ForecastError(ValueError):
    """Too little history for the method asked for, or the method is not installed."""


@dataclass(frozen=True, slots=True)
class Forecast:
    method: str
    mean: tuple[float, ...]  # units per week, one per future week
    low: tuple[float, ...]
    high: tuple[float, ...]
    level: float  # the interval's coverage, e.g. 0.8

    @property
    def total(self) -> float:
        return float(sum(self.mean))

    @property
    def total_low(self) -> float:
        return float(sum(self.low))

    @property
    def total_high(self) -> float:
        return float(sum(self.high))


def choose_method(weeks: int) -> str:
    """The method for a history of `weeks` weeks: the four-week mean (see the module's docstring)."""
    return "moving_average"


def point_forecast(history: Sequence[float], horizon: int, method: str) -> tuple[FloatArray, FloatArray]:
    """(forecast of the next `horizon` weeks, in-sample one-step residuals)."""
    y = np.asarray(history, dtype=np.float64)
    if len(y) < MIN_WEEKS:
        raise ForecastError(f"{len(y)} weeks of history; at least {MIN_WEEKS} are needed")
    if method == "naive":
        return np.full(horizon, y[-1]), np.diff(y)
    if method == "seasonal_naive":
        if len(y) < SEASON:
            raise ForecastError("seasonal naive needs a year of history")
        reps = np.resize(y[-SEASON:], SEASON * (horizon // SEASON + 1))[:horizon]
        return reps, y[SEASON:] - y[:-SEASON]
    if method == "moving_average":
        window = min(4, len(y))
        fitted = np.array([y[max(0, i - window) : i].mean() for i in range(1, len(y))])
        return np.full(horizon, y[-window:].mean()), y[1:] - fitted
    return _ets(y, horizon, seasonal=method == "seasonal_ets")


def _ets(y: FloatArray, horizon: int, *, seasonal: bool) -> tuple[FloatArray, FloatArray]:
    try:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
    except ImportError as exc:
        raise ForecastError(
            "exponential smoothing needs statsmodels: pip install 'opsbot[forecast]'"
        ) from exc

    if seasonal and len(y) < 2 * SEASON:
        raise ForecastError("seasonal smoothing needs two years of history")
    model = ExponentialSmoothing(
        y,
        trend="add",
        damped_trend=True,
        seasonal="add" if seasonal else None,
        seasonal_periods=SEASON if seasonal else None,
        initialization_method="heuristic" if seasonal else "estimated",
    )
    with warnings.catch_warnings():  # convergence notes of the optimizer are not errors here
        warnings.simplefilter("ignore")
        fit = model.fit(optimized=True)
    return np.asarray(fit.forecast(horizon), dtype=np.float64), np.asarray(fit.resid, dtype=np.float64)


def forecast(
    history: Sequence[float], horizon: int, *, method: str | None = None, level: float = 0.8
) -> Forecast:
    """Units per week for the next `horizon` weeks, with an interval of coverage `level`."""
    chosen = method or choose_method(len(history))
    if chosen not in METHODS:
        raise ForecastError(f"unknown method {chosen!r}")
    mean, residuals = point_forecast(history, horizon, chosen)
    mean = np.clip(mean, 0.0, None)
    spread = float(np.std(residuals[np.isfinite(residuals)])) if len(residuals) else 0.0
    z = Z.get(level, 1.2816)
    widen = np.sqrt(np.arange(1, horizon + 1))
    low = np.clip(mean - z * spread * widen, 0.0, None)
    high = mean + z * spread * widen
    return Forecast(chosen, tuple(map(float, mean)), tuple(map(float, low)), tuple(map(float, high)), level)


def mase(
    actual: Sequence[float], predicted: Sequence[float], training: Sequence[float], lag: int = 1
) -> float:
    """Mean absolute error scaled by the in-sample mean absolute error of the lag-`lag` naive forecast."""
    y = np.asarray(training, dtype=np.float64)
    scale = float(np.mean(np.abs(y[lag:] - y[:-lag]))) if len(y) > lag else 0.0
    error = float(
        np.mean(np.abs(np.asarray(actual, dtype=np.float64) - np.asarray(predicted, dtype=np.float64)))
    )
    return error / scale if scale else math.inf


def mape(actual: Sequence[float], predicted: Sequence[float]) -> float:
    """Mean absolute percentage error over the weeks with demand (a week of zero is skipped)."""
    a = np.asarray(actual, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    keep = a > 0
    return float(np.mean(np.abs(a[keep] - p[keep]) / a[keep])) if keep.any() else math.inf


@dataclass(frozen=True, slots=True)
class StockOutlook:
    weekly_rate: float  # expected units a week over the horizon
    days_of_stock: float | None  # None: no demand expected
    reorder_quantity: int  # units to order now to cover lead time + horizon + safety stock


def stock_outlook(
    stock: int, result: Forecast, *, lead_time_days: int, safety_weeks: float = 1.0
) -> StockOutlook:
    """When the stock runs out at the forecast rate, and how much to order now.

    Reorder quantity = demand over (lead time + the horizon) + safety stock (the interval's upper side
    over `safety_weeks`) - stock on hand, never below zero.
    """
    weeks = len(result.mean)
    rate = result.total / weeks if weeks else 0.0
    days = stock / (rate / 7.0) if rate > 0 else None
    cover_weeks = lead_time_days / 7.0 + weeks
    safety = (result.total_high - result.total) / weeks * safety_weeks if weeks else 0.0
    need = rate * cover_weeks + safety - stock
    return StockOutlook(rate, days, max(0, math.ceil(need)))

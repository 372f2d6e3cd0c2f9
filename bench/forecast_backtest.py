"""Demand-forecast backtest on the demo history: every SKU, rolling origins, MASE and MAPE per method.

The history is every order `opsbot db seed-demo` writes (the fixed demo orders, the seed's ~80 generated
orders of the last 90 days, and the weekly orders of dialogue.demo_history), as the Backend counts them.
Each SKU is forecast `--horizon` weeks ahead from each of the last `--origins` weekly origins, with the
history up to the origin only. MASE is scaled by the in-sample error of the naive (last week) forecast;
a method beats naive when its MASE is below naive's. `--per-sku N` adds "per_sku": at each origin, the
method (of PER_SKU_CANDIDATES) with the lowest MASE over N inner origins of that SKU's history up to the
origin forecasts it. The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.seed import generate_history  # noqa: E402
from dialogue.analytics.aggregate import weekly_units  # noqa: E402
from dialogue.analytics.forecast import (  # noqa: E402
    METHODS,
    ForecastError,
    choose_method,
    forecast,
    mape,
    mase,
)
from dialogue.demo import load_demo  # noqa: E402
from dialogue.demo_history import HISTORY_WEEKS, generate_demand_history  # noqa: E402

TODAY = date(2026, 11, 23)
PER_SKU_CANDIDATES = ("moving_average", "damped_ets", "seasonal_ets", "naive")


def series(today: date) -> dict[str, tuple[int, ...]]:
    demo = load_demo(today)
    seeded = generate_history(demo, today)
    weekly = generate_demand_history(demo, today)
    orders = [*demo.orders, *seeded.orders, *weekly.orders]
    days = {o.id: o.created_at.date() for o in orders if o.status != "cancelled"}
    lines = [line for line in (*demo.lines, *seeded.lines, *weekly.lines) if line.order_id in days]
    out = {}
    for product in demo.products:
        sold = [(days[line.order_id], line.quantity) for line in lines if line.sku == product.sku]
        out[product.sku] = weekly_units(sold, end=today, weeks=HISTORY_WEEKS)[1]
    return out


def backtest_choice(train: tuple[int, ...], horizon: int, inner: int) -> str:
    """The candidate with the lowest mean MASE over `inner` rolling origins inside `train`."""
    best, best_score = "moving_average", float("inf")
    for method in PER_SKU_CANDIDATES:
        scores = []
        try:
            for k in range(inner, 0, -1):
                cut = len(train) - horizon - k + 1
                fit, actual = train[:cut], train[cut : cut + horizon]
                scores.append(mase(actual, forecast(fit, horizon, method=method).mean, fit))
        except ForecastError:
            continue
        if statistics.mean(scores) < best_score:
            best, best_score = method, statistics.mean(scores)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, default=4)
    parser.add_argument("--origins", type=int, default=12)
    parser.add_argument(
        "--per-sku", type=int, default=0, metavar="N", help="also choose per SKU (N inner origins)"
    )
    ns = parser.parse_args()
    data = series(TODAY)
    results: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    for method in METHODS:
        scores_mase, scores_mape = [], []
        for units in data.values():
            for k in range(ns.origins, 0, -1):
                cut = len(units) - ns.horizon - k + 1
                train, actual = units[:cut], units[cut : cut + ns.horizon]
                predicted = forecast(train, ns.horizon, method=method).mean
                scores_mase.append(mase(actual, predicted, train))
                scores_mape.append(mape(actual, predicted))
        results[method] = {
            "mase": round(statistics.mean(scores_mase), 3),
            "mape": round(statistics.mean(scores_mape), 3),
        }
        print(
            f"{method:<15} MASE {results[method]['mase']:.3f}   MAPE {100 * results[method]['mape']:.1f}%",
            flush=True,
        )
    if ns.per_sku:
        scores_mase, scores_mape = [], []
        for units in data.values():
            for k in range(ns.origins, 0, -1):
                cut = len(units) - ns.horizon - k + 1
                train, actual = units[:cut], units[cut : cut + ns.horizon]
                method = backtest_choice(train, ns.horizon, ns.per_sku)
                predicted = forecast(train, ns.horizon, method=method).mean
                scores_mase.append(mase(actual, predicted, train))
                scores_mape.append(mape(actual, predicted))
        results["per_sku"] = {
            "mase": round(statistics.mean(scores_mase), 3),
            "mape": round(statistics.mean(scores_mape), 3),
        }
        chosen = results["per_sku"]
        print(f"{'per_sku':<15} MASE {chosen['mase']:.3f}   MAPE {100 * chosen['mape']:.1f}%")
    default = choose_method(HISTORY_WEEKS - ns.horizon - 1)
    beats = results[default]["mase"] < results["naive"]["mase"]
    print(
        f"default ({default}) {'beats' if beats else 'does NOT beat'} naive; "
        f"{len(data)} SKUs x {ns.origins} origins x {ns.horizon} weeks, {time.perf_counter() - started:.0f}s"
    )
    print(json.dumps({"default": default, "beats_naive": beats, "horizon": ns.horizon, **results}))


if __name__ == "__main__":
    main()

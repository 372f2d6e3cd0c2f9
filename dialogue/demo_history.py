"""Three years of weekly replenishment orders for every demo SKU, for market trends and demand forecasts.

Deterministic (a fixed seed, dates relative to the day of seeding). Each supplier gets one delivered order
a week, placed on Monday by one of the customers in turn, with a line per SKU. A SKU's weekly units follow
a level, a trend and a yearly season (the peak week and strength set per category: blankets sell before
winter, packaging before the holidays, safety gear in summer), with noise. Order ids are PO-5001 upwards,
apart from the fixed demo orders and the seed's generated ones.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from dialogue.backend import Order
from dialogue.demo import DemoData, OrderLine, order_time, order_total

HISTORY_SEED = 20261123
HISTORY_WEEKS = 156
FIRST_ORDER = 5001
NOISE = 0.18  # the standard deviation of a week's units, relative to its expected units
# category -> (seasonal strength, week of the year with the most demand)
SEASONS: dict[str, tuple[float, int]] = {
    "Home Textiles": (0.35, 46),
    "Electronics": (0.30, 47),
    "Packaging": (0.25, 48),
    "Kitchenware": (0.20, 49),
    "Safety": (0.20, 26),
    "Tools": (0.15, 20),
    "Bags": (0.25, 24),
    "Workwear": (0.10, 10),
    "Storage": (0.10, 36),
}


@dataclass(frozen=True, slots=True)
class DemandHistoryData:
    orders: tuple[Order, ...]
    lines: tuple[OrderLine, ...]


def expected_units(level: float, trend: float, season: tuple[float, int], day: date, weeks_ago: int) -> float:
    """The mean weekly units of a SKU in the week starting `day` (trend: relative growth a year)."""
    strength, peak = season
    week = day.isocalendar().week
    seasonal = 1.0 + strength * math.cos(2 * math.pi * (week - peak) / 52.0)
    return level * (1.0 + trend * (-weeks_ago / 52.0)) * seasonal


def generate_demand_history(demo: DemoData, today: date, weeks: int = HISTORY_WEEKS) -> DemandHistoryData:
    """One delivered order per supplier per week over the `weeks` whole weeks before this week."""
    rng = random.Random(HISTORY_SEED)
    this_week = today - timedelta(days=today.weekday())
    customers = [c.id for c in demo.customers]
    by_supplier: dict[str, list[str]] = defaultdict(list)
    params: dict[str, tuple[float, float]] = {}
    for product in demo.products:  # drawn in file order for every SKU, so the sequence never shifts
        by_supplier[product.supplier_id].append(product.sku)
        level = rng.uniform(600, 1500) if product.unit_price < 20 else rng.uniform(150, 400)
        params[product.sku] = (level, rng.uniform(-0.15, 0.45))
    products = {p.sku: p for p in demo.products}
    orders: list[Order] = []
    lines: list[OrderLine] = []
    number = FIRST_ORDER
    for weeks_ago in range(weeks, 0, -1):
        monday = this_week - timedelta(weeks=weeks_ago)
        for supplier_id in sorted(by_supplier):
            order_id = f"PO-{number}"
            number += 1
            order_lines = []
            for sku in by_supplier[supplier_id]:
                level, trend = params[sku]
                season = SEASONS.get(products[sku].category, (0.1, 26))
                mean = expected_units(level, trend, season, monday, weeks_ago)
                units = max(0, round(rng.gauss(mean, NOISE * mean)))
                if units:
                    order_lines.append(OrderLine(order_id, sku, units, products[sku].unit_price))
            if not order_lines:
                continue
            orders.append(
                Order(
                    id=order_id,
                    supplier_id=supplier_id,
                    customer_id=customers[(weeks_ago + len(orders)) % len(customers)],
                    status="delivered",
                    created_at=order_time(monday),
                    total=order_total(order_lines),
                    carrier="DHL Express",
                    promised_date=monday + timedelta(days=10),
                    delivered_at=monday + timedelta(days=9),
                )
            )
            lines.extend(order_lines)
    return DemandHistoryData(tuple(orders), tuple(lines))

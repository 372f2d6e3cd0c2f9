"""The generated weekly demand history: deterministic, apart from the fixed demo data, with a season."""

from __future__ import annotations

from datetime import date

from dialogue.demo import load_demo
from dialogue.demo_history import FIRST_ORDER, HISTORY_WEEKS, generate_demand_history

TODAY = date(2026, 11, 23)


def test_history_is_deterministic_and_apart_from_the_fixed_orders() -> None:
    demo = load_demo(TODAY)
    first, again = generate_demand_history(demo, TODAY), generate_demand_history(demo, TODAY)
    assert first == again
    ids = {o.id for o in first.orders}
    assert not ids & {o.id for o in demo.orders}
    assert min(int(i.split("-")[1]) for i in ids) == FIRST_ORDER
    days = sorted({o.created_at.date() for o in first.orders})
    assert len(days) == HISTORY_WEEKS and all(d.weekday() == 0 for d in days) and days[-1] < TODAY
    assert {o.status for o in first.orders} == {"delivered"}
    assert {line.order_id for line in first.lines} == ids


def test_blankets_sell_more_before_winter() -> None:
    data = generate_demand_history(load_demo(TODAY), TODAY)
    day = {o.id: o.created_at.date() for o in data.orders}
    units: dict[int, int] = {}
    for line in data.lines:
        if line.sku == "NH-330":
            month = day[line.order_id].month
            units[month] = units.get(month, 0) + line.quantity
    assert units[11] > units[5]

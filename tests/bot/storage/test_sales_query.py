"""A sales rep's question as SQL (issue 25), on SQLite and PostgreSQL: every metric by every dimension,
filtered, compared and ranked, against figures computed in the test from the rows it inserted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bot.storage.backend import SqlBackend
from dialogue.queries import (
    DIMENSIONS,
    METRICS,
    MONEY_METRICS,
    DateRange,
    QueryFilter,
    QueryResult,
    SalesQuery,
)
from tests.bot.storage.test_sales_query_data import (
    AS_OF,
    NOVEMBER,
    NOVEMBER_2025,
    OCTOBER,
    ORDERS,
    expected,
    seeded,
)

LINES = ("category", "product")  # an order spans several: the whole is the whole of the lines
ORDER_METRICS = [m for m in METRICS if m not in ("returns", "complaints")]
FILTER_SETS: list[tuple[QueryFilter, ...]] = [
    (),
    (QueryFilter("customer", "CUS-1"),),
    (QueryFilter("supplier", "SUP-2"), QueryFilter("supplier", "SUP-3")),  # either of two
    (QueryFilter("industry", "retail"),),
    (QueryFilter("category", "Industrial"),),
    (QueryFilter("product", "TW-1"), QueryFilter("customer", "CUS-2")),
]


def as_dict(rows: tuple[Any, ...]) -> dict[tuple[str, str], Decimal]:
    return {(r.key, r.currency): r.value for r in rows}


def totals_expected(metric: str, figures: dict[tuple[str, str], Decimal]) -> dict[tuple[str, str], Decimal]:
    """A count of nothing is 0; a sum of money or a ratio over nothing has no figure."""
    if figures or metric in MONEY_METRICS or metric == "on_time_rate":
        return figures
    return {("", ""): Decimal(0)}


async def ask(backend: SqlBackend, metric: str, **kwargs: Any) -> QueryResult:
    kwargs.setdefault("period", NOVEMBER)
    kwargs.setdefault("limit", 100)
    return await backend.sales_query(SalesQuery(metric=metric, as_of=AS_OF, **kwargs))  # type: ignore[arg-type]


async def test_every_metric_by_every_dimension_and_filter_matches_the_rows(engine: Any) -> None:
    backend = await seeded(engine)
    for metric in ORDER_METRICS:
        for filters in FILTER_SETS:
            whole = await ask(backend, metric, filters=filters)
            want = totals_expected(metric, expected(metric, None, NOVEMBER, filters))
            assert as_dict(whole.totals) == want, (metric, filters)
            assert whole.rows == ()
            for dimension in DIMENSIONS:
                result = await ask(backend, metric, dimension=dimension, filters=filters)
                label = (metric, dimension, filters)
                assert as_dict(result.rows) == expected(metric, dimension, NOVEMBER, filters), label
                whole_of_lines = expected(metric, None, NOVEMBER, filters, lines=dimension in LINES)
                assert as_dict(result.totals) == totals_expected(metric, whole_of_lines), label
                assert all(r.previous is None for r in result.rows)


async def test_every_metric_compared_with_the_period_before_and_the_year_before(engine: Any) -> None:
    backend = await seeded(engine)
    for metric in ORDER_METRICS:
        for dimension in (None, *DIMENSIONS):
            for compare_to in (OCTOBER, NOVEMBER_2025):
                result = await ask(backend, metric, dimension=dimension, compare_to=compare_to)
                now = expected(metric, dimension, NOVEMBER)
                before = expected(metric, dimension, compare_to)
                totals_now = expected(metric, None, NOVEMBER, lines=dimension in LINES)
                totals_before = expected(metric, None, compare_to, lines=dimension in LINES)
                label = (metric, dimension, compare_to)
                if dimension is None:
                    now, before = totals_expected(metric, now), totals_expected(metric, before)
                    rows = result.totals
                else:
                    rows = result.rows
                ratio = metric in ("average_order_value", "on_time_rate")
                want = {
                    key: (value, before.get(key, None if ratio else Decimal(0))) for key, value in now.items()
                }
                if not ratio:  # a key sold only before is 0 now
                    want |= {key: (Decimal(0), value) for key, value in before.items() if key not in now}
                assert {(r.key, r.currency): (r.value, r.previous) for r in rows} == want, label
                if dimension is not None:
                    whole = {(r.key, r.currency): (r.value, r.previous) for r in result.totals}
                    now, before = totals_expected(metric, totals_now), totals_expected(metric, totals_before)
                    assert {k: v for k, (v, _p) in whole.items()} == now, label
                    assert all(
                        p == before.get(k, None if ratio else Decimal(0)) for k, (_v, p) in whole.items()
                    )


async def test_revenue_is_one_figure_per_currency_and_excludes_cancelled_orders(engine: Any) -> None:
    backend = await seeded(engine)
    result = await ask(backend, "revenue", dimension="customer")
    currencies = {r.currency for r in result.totals}
    assert currencies == {"USD", "EUR"}
    placed = [o for o in ORDERS if NOVEMBER.start <= o.created.date() < NOVEMBER.end]
    assert any(o.status == "cancelled" for o in placed)
    usd = sum((o.total for o in placed if o.currency == "USD" and o.status != "cancelled"), Decimal(0))
    assert next(r.value for r in result.totals if r.currency == "USD") == usd
    assert result.totals[0].currency == max(result.totals, key=lambda r: r.value).currency
    globex = [r for r in result.rows if r.key == "CUS-2"]
    assert {r.currency for r in globex} == {"USD", "EUR"} and all(r.name == "Globex" for r in globex)


async def test_category_revenue_comes_from_order_lines_not_order_totals(engine: Any) -> None:
    backend = await seeded(engine)
    by_category = await ask(backend, "revenue", dimension="category")
    whole = await ask(backend, "revenue")

    def usd(rows: tuple[Any, ...]) -> Decimal:
        return sum((r.value for r in rows if r.currency == "USD"), Decimal(0))

    assert usd(by_category.totals) == usd(by_category.rows)  # the lines add up to the lines' total
    assert usd(whole.totals) > usd(by_category.totals)  # order totals also carry shipping


async def test_an_empty_period_has_no_rows_and_counts_zero(engine: Any) -> None:
    backend = await seeded(engine)
    empty = DateRange(date(2030, 1, 1), date(2030, 2, 1))
    revenue = await ask(backend, "revenue", dimension="customer", period=empty)
    assert revenue.rows == () and revenue.totals == () and revenue.unsupported == ""
    orders = await ask(backend, "orders", dimension="supplier", period=empty)
    assert orders.rows == () and [(r.key, r.value) for r in orders.totals] == [("", Decimal(0))]
    rate = await ask(backend, "on_time_rate", period=empty)
    assert rate.totals == ()


async def test_top_and_bottom_n_are_ranked_by_the_main_currency(engine: Any) -> None:
    backend = await seeded(engine)
    figures = expected("revenue", "supplier", NOVEMBER)
    usd = sorted(((v, k) for (k, c), v in figures.items() if c == "USD"), key=lambda vk: (-vk[0], vk[1]))
    top = await ask(backend, "revenue", dimension="supplier", limit=2)
    assert [r.key for r in top.rows if r.currency == "USD"] == [k for _v, k in usd[:2]]
    assert len({r.key for r in top.rows}) == 2
    bottom = await ask(backend, "revenue", dimension="supplier", rank="bottom", limit=1)
    assert {r.key for r in bottom.rows} == {usd[-1][1]}


async def test_bottom_n_of_a_count(engine: Any) -> None:
    backend = await seeded(engine)
    figures = expected("orders", "product", NOVEMBER)
    want = [k for (k, _c), _v in sorted(figures.items(), key=lambda kv: (kv[1], kv[0][0]))][:3]
    result = await ask(backend, "orders", dimension="product", rank="bottom", limit=3)
    assert [r.key for r in result.rows] == want
    assert [r.value for r in result.rows] == sorted(r.value for r in result.rows)


async def test_customers_whose_revenue_fell_most(engine: Any) -> None:
    """Ranked by the change in the main currency (the one with the most revenue), then the other."""
    backend = await seeded(engine)
    now = expected("revenue", "customer", NOVEMBER)
    before = expected("revenue", "customer", OCTOBER)
    totals = expected("revenue", None, NOVEMBER)
    currencies = sorted({c for _k, c in totals}, key=lambda c: -totals[("", c)])
    keys = {k for k, _c in (*now, *before)}

    def change(key: str, currency: str) -> Decimal:
        return now.get((key, currency), Decimal(0)) - before.get((key, currency), Decimal(0))

    fell = sorted(keys, key=lambda k: ([change(k, c) for c in currencies], k))
    result = await ask(
        backend, "revenue", dimension="customer", compare_to=OCTOBER, comparison="previous",
        rank="bottom", order_by="change", limit=2,
    )  # fmt: skip
    assert list(dict.fromkeys(r.key for r in result.rows)) == fell[:2]
    main = [r for r in result.rows if r.currency == currencies[0]]
    assert [r.change for r in main] == [
        change(k, currencies[0])
        for k in fell[:2]
        if (k, currencies[0]) in {(r.key, r.currency) for r in result.rows}
    ]
    assert result.rows[0].change is not None and result.rows[0].change < 0
    rose = await ask(backend, "revenue", dimension="customer", compare_to=OCTOBER, order_by="change", limit=1)
    assert [r.key for r in rose.rows][:1] == [
        max(keys, key=lambda k: ([change(k, c) for c in currencies], k))
    ]


async def test_suppliers_ranked_by_late_orders_and_by_on_time_rate(engine: Any) -> None:
    backend = await seeded(engine)
    late = expected("late_orders", "supplier", NOVEMBER)
    result = await ask(backend, "late_orders", dimension="supplier", limit=1)
    assert result.rows[0].value == max(late.values()) and result.rows[0].name in (
        "Sunrise Textiles", "Rhein GmbH", "Huaqiang",
    )  # fmt: skip
    rates = expected("on_time_rate", "supplier", NOVEMBER)
    worst = await ask(backend, "on_time_rate", dimension="supplier", rank="bottom", limit=1)
    assert worst.rows[0].value == min(rates.values()) and Decimal(0) <= worst.rows[0].value <= Decimal(1)


async def test_returns_are_not_stored_and_say_so(engine: Any) -> None:
    backend = await seeded(engine)
    result = await ask(backend, "returns", dimension="customer")
    assert result.unsupported == "returns" and result.rows == () and result.totals == ()

"""The in-memory backend's sales query (tests/fakes/sales.py), which dialogue tests use, answers as the
rules of docs/metrics.md say: the same store and the same expected figures as the SQL tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from dialogue.backend import Customer, Order, Product, Supplier
from dialogue.demo import OrderLine
from dialogue.queries import DIMENSIONS, DateRange, QueryFilter, SalesQuery
from tests.bot.storage.test_sales_query import FILTER_SETS, LINES, ORDER_METRICS, as_dict, totals_expected
from tests.bot.storage.test_sales_query_data import (
    AS_OF,
    CUSTOMERS,
    ESCALATIONS,
    ISSUES,
    NOVEMBER,
    OCTOBER,
    ORDERS,
    PRODUCTS,
    SUPPLIERS,
    expected,
)
from tests.fakes.backend import FakeBackend
from tests.fakes.sales import Complaint


def fake() -> FakeBackend:
    backend = FakeBackend(AS_OF)
    backend.suppliers = {k: Supplier(k, v, f"{v}（中）") for k, v in SUPPLIERS.items()}
    backend.customers = {k: Customer(k, n, industry=i) for k, (n, i) in CUSTOMERS.items()}
    backend.products = {k: Product(k, sup, n, c, "", "", "", p) for k, (sup, n, c, p) in PRODUCTS.items()}
    backend.orders = {
        o.id: Order(o.id, o.supplier, o.customer, o.status, o.created, o.total, o.currency,
                    eta=o.eta, promised_date=o.promised, delivered_at=o.delivered)
        for o in ORDERS
    }  # fmt: skip
    backend.lines = [OrderLine(o.id, sku, q, p) for o in ORDERS for sku, q, p in o.lines]
    backend.complaints = [
        Complaint(at, supplier) for reason, supplier, at in ESCALATIONS if reason == "complaint"
    ]
    backend.complaints += [Complaint(at, customer_id=customer) for customer, at in ISSUES]
    return backend


async def test_the_fake_answers_every_metric_by_every_dimension_as_the_rules_say() -> None:
    backend = fake()
    for metric in ORDER_METRICS:
        for filters in FILTER_SETS:
            for dimension in (None, *DIMENSIONS):
                query = SalesQuery(metric, NOVEMBER, AS_OF, dimension, filters, limit=100)  # type: ignore[arg-type]
                result = await backend.sales_query(query)
                label = (metric, dimension, filters)
                if dimension is not None:
                    assert as_dict(result.rows) == expected(metric, dimension, NOVEMBER, filters), label
                whole = expected(metric, None, NOVEMBER, filters, lines=dimension in LINES)
                assert as_dict(result.totals) == totals_expected(metric, whole), label


async def test_the_fake_ranks_complaints_lists_quiet_customers_and_names() -> None:
    backend = fake()
    fell = await backend.sales_query(
        SalesQuery(
            "revenue", NOVEMBER, AS_OF, "customer", compare_to=OCTOBER, rank="bottom", order_by="change"
        )
    )
    changes = [r.change for r in fell.rows if r.currency == fell.totals[0].currency]
    assert changes == sorted(c for c in changes if c is not None)
    by_supplier = await backend.sales_query(SalesQuery("complaints", NOVEMBER, AS_OF, "supplier"))
    assert as_dict(by_supplier.rows) == {("SUP-1", ""): Decimal(2)}
    whole = await backend.sales_query(SalesQuery("complaints", NOVEMBER, AS_OF))
    assert as_dict(whole.totals) == {("", ""): Decimal(5)}
    retail = (QueryFilter("industry", "retail"),)
    assert as_dict(
        (await backend.sales_query(SalesQuery("complaints", NOVEMBER, AS_OF, filters=retail))).totals
    ) == {("", ""): Decimal(2)}
    returns = await backend.sales_query(SalesQuery("returns", NOVEMBER, AS_OF))
    assert returns.unsupported == "returns"
    quiet = await backend.quiet_customers(as_of=AS_OF, days=60, limit=5)
    assert [(q.customer_id, q.usual_interval_days, q.order_count) for q in quiet][:1] == [("CUS-6", 11.5, 4)]
    names = await backend.sales_names()
    assert names.industries == ("food", "hospitality", "manufacturing", "retail", "technology")
    empty = DateRange(AS_OF + timedelta(days=400), AS_OF + timedelta(days=430))
    assert (await backend.sales_query(SalesQuery("revenue", empty, AS_OF, "customer"))).totals == ()

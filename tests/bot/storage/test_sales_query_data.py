"""The store the sales-query tests ask about, and the figures they expect, computed here in plain Python
from the rows inserted (never by bot.storage.sales_query): the rules of docs/metrics.md, written again."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bot.storage.backend import SqlBackend
from bot.storage.db import make_sessionmaker
from bot.storage.tables import (
    CustomerIssueRow,
    CustomerRow,
    EscalationRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SupplierRow,
)
from dialogue.clock import ManualClock
from dialogue.queries import DateRange, QueryFilter

AS_OF = date(2026, 12, 7)  # a Monday
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
NOVEMBER = DateRange(date(2026, 11, 1), date(2026, 12, 1))
OCTOBER = DateRange(date(2026, 10, 1), date(2026, 11, 1))
NOVEMBER_2025 = DateRange(date(2025, 11, 1), date(2025, 12, 1))

SUPPLIERS = {"SUP-1": "Sunrise Textiles", "SUP-2": "Rhein GmbH", "SUP-3": "Huaqiang"}
CUSTOMERS = {  # id: (name, industry)
    "CUS-1": ("ACME", "retail"),
    "CUS-2": ("Globex", "manufacturing"),
    "CUS-3": ("Initech", "retail"),
    "CUS-4": ("Umbrella", "hospitality"),
    "CUS-5": ("Hooli", "technology"),  # never orders
    "CUS-6": ("Soylent", "food"),  # quiet since February
}
PRODUCTS = {  # sku: (supplier, name, category, price)
    "TW-1": ("SUP-1", "Towel", "Home Textiles", Decimal("10.00")),
    "SH-1": ("SUP-1", "Sheet", "Home Textiles", Decimal("24.50")),
    "VL-1": ("SUP-2", "Valve", "Industrial", Decimal("25.00")),
    "PU-1": ("SUP-2", "Pump", "Industrial", Decimal("180.00")),
    "CB-1": ("SUP-3", "Cable", "Electronics", Decimal("3.20")),
}
STATUSES = ("pending_confirmation", "confirmed", "shipped", "delivered", "delivered", "cancelled")
SHIPPING = Decimal("7.00")  # every order's total is its lines plus shipping: totals differ from lines


@dataclass(frozen=True)
class Order:
    id: str
    supplier: str
    customer: str
    status: str
    created: datetime
    currency: str
    eta: date | None
    promised: date | None
    delivered: date | None
    lines: tuple[tuple[str, int, Decimal], ...]  # (sku, quantity, unit price)

    @property
    def total(self) -> Decimal:
        return sum((q * p for _s, q, p in self.lines), SHIPPING)

    @property
    def due(self) -> date | None:
        return self.eta or self.promised

    @property
    def open(self) -> bool:
        return self.status in ("pending_confirmation", "confirmed", "shipped")

    def late(self, as_of: date) -> bool:
        if self.due is None:
            return False
        if self.status == "delivered":
            return self.delivered is not None and self.delivered > self.due
        return self.open and self.due < as_of

    def judged(self, as_of: date) -> bool:
        return self.status == "delivered" or (self.open and self.due is not None and self.due < as_of)


def make_orders() -> list[Order]:
    """About 200 orders from October 2025 to December 2026, in USD and (one customer) EUR; some
    cancelled, some late, some spanning two categories."""
    rng = random.Random(25)
    orders = []
    first = date(2025, 10, 1)
    for n in range(220):
        created_day = first + timedelta(days=rng.randrange(0, 430))
        supplier = rng.choice(sorted(SUPPLIERS))
        customer = rng.choice(["CUS-1", "CUS-2", "CUS-3", "CUS-4"])
        skus = rng.sample(sorted(PRODUCTS), rng.randrange(1, 3))
        status = rng.choice(STATUSES)
        due = created_day + timedelta(days=rng.randrange(5, 30))
        eta, promised = rng.choice([(due, None), (None, due), (due, due - timedelta(days=3)), (None, None)])
        delivered = due + timedelta(days=rng.randrange(-4, 5)) if status == "delivered" else None
        orders.append(
            Order(
                id=f"PO-{n:04d}",
                supplier=supplier,
                customer=customer,
                status=status,
                created=datetime.combine(created_day, datetime.min.time(), tzinfo=UTC)
                + timedelta(hours=rng.randrange(0, 24), minutes=rng.randrange(60)),
                currency="EUR" if customer == "CUS-2" and n % 3 else "USD",
                eta=eta,
                promised=promised,
                delivered=delivered,
                lines=tuple((sku, rng.randrange(1, 40), PRODUCTS[sku][3]) for sku in skus),
            )
        )
    at = datetime(2026, 11, 12, 15, tzinfo=UTC)
    big = (("PU-1", 90, Decimal("180.00")), ("TW-1", 500, Decimal("10.00")))  # two categories
    orders.append(Order("PO-X1", "SUP-2", "CUS-1", "cancelled", at, "USD", None, None, None, big))
    orders.append(Order("PO-X2", "SUP-2", "CUS-2", "delivered", at, "EUR", None, date(2026, 11, 20),
                        date(2026, 11, 25), big))  # fmt: skip
    towels = (("TW-1", 10, Decimal("10.00")),)
    for n, (day, status) in enumerate(
        [(date(2026, 1, 10), "delivered"), (date(2026, 1, 19), "delivered"), (date(2026, 1, 19), "delivered"),
         (date(2026, 2, 2), "delivered"), (date(2026, 11, 2), "cancelled")]
    ):  # fmt: skip
        created = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10 + n)
        orders.append(Order(f"PO-Q{n}", "SUP-1", "CUS-6", status, created, "USD", None, None, None, towels))
    return orders


ORDERS = make_orders()
ESCALATIONS = [  # (reason, supplier or None, created)
    ("complaint", "SUP-1", datetime(2026, 11, 3, 9, tzinfo=UTC)),
    ("complaint", "SUP-1", datetime(2026, 11, 20, 9, tzinfo=UTC)),
    ("complaint", "SUP-2", datetime(2026, 10, 5, 9, tzinfo=UTC)),
    ("complaint", None, datetime(2026, 11, 8, 9, tzinfo=UTC)),
    ("vip_supplier", "SUP-2", datetime(2026, 11, 9, 9, tzinfo=UTC)),  # not a complaint
]
ISSUES = [  # (customer, created)
    ("CUS-1", datetime(2026, 11, 4, 9, tzinfo=UTC)),
    ("CUS-3", datetime(2026, 11, 30, 23, 59, tzinfo=UTC)),
    ("CUS-2", datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),  # December: not in November
]


async def seeded(engine: Any) -> SqlBackend:
    sm = make_sessionmaker(engine)
    async with sm.begin() as s:
        s.add_all(SupplierRow(id=k, name=v, name_zh=f"{v}（中）") for k, v in SUPPLIERS.items())
        s.add_all(CustomerRow(id=k, name=n, industry=i) for k, (n, i) in CUSTOMERS.items())
        await s.flush()
        s.add_all(
            ProductRow(sku=k, supplier_id=sup, name=n, category=c, unit_price=p)
            for k, (sup, n, c, p) in PRODUCTS.items()
        )
        await s.flush()
        for o in ORDERS:
            s.add(
                OrderRow(id=o.id, supplier_id=o.supplier, customer_id=o.customer, status=o.status,
                         created_at=o.created, total=o.total, currency=o.currency, eta=o.eta,
                         promised_date=o.promised, delivered_at=o.delivered)
            )  # fmt: skip
        await s.flush()
        s.add_all(
            OrderLineRow(order_id=o.id, sku=sku, quantity=q, unit_price=p)
            for o in ORDERS
            for sku, q, p in o.lines
        )
        for n, (reason, supplier, created) in enumerate(ESCALATIONS):
            s.add(
                EscalationRow(conversation_key=f"web:{n}", supplier_id=supplier, reason=reason,
                              status="closed", created_at=created, claim_due_at=created,
                              resolve_due_at=created, updated_at=created)
            )  # fmt: skip
        s.add_all(CustomerIssueRow(customer_id=c, title="broken", created_at=t) for c, t in ISSUES)
    return SqlBackend(sm, clock=ManualClock(NOW))


# --- the expected figures ------------------------------------------------------------------------

LINE_DIMENSIONS = ("category", "product")


def _order_key(o: Order, dimension: str | None) -> str:
    if dimension == "customer":
        return o.customer
    if dimension == "supplier":
        return o.supplier
    if dimension == "industry":
        return CUSTOMERS[o.customer][1]
    return ""


def _line_key(sku: str, dimension: str) -> str:
    return PRODUCTS[sku][2] if dimension == "category" else sku


def _keeps_order(o: Order, filters: tuple[QueryFilter, ...]) -> bool:
    for dimension in ("customer", "supplier", "industry"):
        keys = {f.key for f in filters if f.dimension == dimension}
        if keys and _order_key(o, dimension) not in keys:
            return False
    return True


def _keeps_line(sku: str, filters: tuple[QueryFilter, ...]) -> bool:
    for dimension in LINE_DIMENSIONS:
        keys = {f.key for f in filters if f.dimension == dimension}
        if keys and _line_key(sku, dimension) not in keys:
            return False
    return True


def expected(
    metric: str,
    dimension: str | None,
    period: DateRange,
    filters: tuple[QueryFilter, ...] = (),
    as_of: date = AS_OF,
    *,
    lines: bool = False,
) -> dict[tuple[str, str], Decimal]:
    """{(key, currency): value} as docs/metrics.md defines it; currency "" unless money. `lines`: from
    order lines even without a category or product (the whole of a query by category or product)."""
    money = metric in ("revenue", "average_order_value")
    by_lines = lines or dimension in LINE_DIMENSIONS or any(f.dimension in LINE_DIMENSIONS for f in filters)
    sums: dict[tuple[str, str], Decimal] = {}
    orders: dict[tuple[str, str], set[str]] = {}
    for o in ORDERS:
        if o.status == "cancelled" or not (period.start <= o.created.date() < period.end):
            continue
        if not _keeps_order(o, filters):
            continue
        currency = o.currency if money else ""
        if by_lines or metric == "units":
            for sku, q, p in o.lines:
                if not _keeps_line(sku, filters):
                    continue
                line_dim = dimension in LINE_DIMENSIONS
                key = (
                    _line_key(sku, dimension) if line_dim and dimension else _order_key(o, dimension),
                    currency,
                )
                sums[key] = sums.get(key, Decimal(0)) + (q if metric == "units" else q * p)
                orders.setdefault(key, set()).add(o.id)
        else:
            key = (_order_key(o, dimension), currency)
            sums[key] = sums.get(key, Decimal(0)) + o.total
            orders.setdefault(key, set()).add(o.id)
    by_id = {o.id: o for o in ORDERS}
    out: dict[tuple[str, str], Decimal] = {}
    for key, ids in orders.items():
        chosen = [by_id[i] for i in ids]
        if metric in ("revenue", "units"):
            out[key] = sums[key]
        elif metric == "orders":
            out[key] = Decimal(len(ids))
        elif metric == "average_order_value":
            out[key] = (sums[key] / len(ids)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        elif metric == "late_orders":
            out[key] = Decimal(sum(o.late(as_of) for o in chosen))
        elif metric == "open_orders":
            out[key] = Decimal(sum(o.open for o in chosen))
        elif metric == "on_time_rate":
            judged = [o for o in chosen if o.judged(as_of)]
            if judged:
                on_time = sum(not o.late(as_of) for o in judged)
                out[key] = (Decimal(on_time) / len(judged)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return out

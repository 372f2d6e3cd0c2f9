"""In-memory Backend and Accounts for dialogue tests, serving the demo data set.

The demo data is dialogue/data/demo.yml, what `opsbot db seed-demo` writes (bot/seed.py), resolved
against the test clock's day. The seed adds a generated order history; in its place this fake adds the
small fixed history below (SCENARIO), which the tests' summaries and recommendations pin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from dialogue.analytics.aggregate import SoldLine, daily_sales, sales_lines, weekly_units
from dialogue.backend import (
    Customer,
    CustomerProfile,
    DailySales,
    DemandHistory,
    Invoice,
    LinkResult,
    Order,
    OrderActivity,
    Product,
    PurchaseLine,
    SalesLine,
    SalesSummary,
    StockChange,
    StockItem,
    Supplier,
)
from dialogue.demo import OrderLine, load_demo, order_time
from dialogue.demo_history import generate_demand_history
from dialogue.money import Amounts, ranked
from dialogue.queries import (
    QueryResult,
    QuietCustomer,
    SalesNames,
    SalesQuery,
)
from nlu.types import KnownName
from tests.fakes import sales

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
TODAY = START.date()


@dataclass(frozen=True, slots=True)
class Scenario:
    """Test-only records on top of the demo data set."""

    orders: tuple[Order, ...]
    lines: tuple[OrderLine, ...]
    invoices: tuple[Invoice, ...]
    stock: tuple[tuple[str, int], ...]


def scenario(today: date) -> Scenario:
    """Nordic Home Goods' recent orders (their totals are set by hand, not from the lines), Huaqiang's
    overdue invoice, and the stock of the other SKUs of Sunrise Textiles and Huaqiang Electronics."""
    d = timedelta

    def line(order_id: str, sku: str, quantity: int, price: str) -> OrderLine:
        return OrderLine(order_id, sku, quantity, Decimal(price))

    orders = (
        Order("PO-3001", "SUP-003", "CUS-006", "delivered", order_time(today - d(40)), Decimal("900.00"),
              delivered_at=today - d(30)),
        Order("PO-3002", "SUP-003", "CUS-010", "shipped", order_time(today - d(2)), Decimal("640.00"),
              carrier="UPS", tracking_number="1Z999", eta=today - d(1), promised_date=today - d(1)),
        Order("PO-3003", "SUP-003", "CUS-002", "delivered", order_time(today - d(50)), Decimal("1500.00"),
              delivered_at=today - d(44)),
    )  # fmt: skip
    lines = (
        line("PO-3001", "AB-1020", 100, "8.50"), line("PO-3001", "NH-330", 40, "29.00"),
        line("PO-3001", "NH-300", 200, "3.20"), line("PO-3002", "AB-1020", 50, "8.50"),
        line("PO-3002", "KX-550", 60, "6.20"), line("PO-3002", "NH-320", 120, "4.30"),
        line("PO-3003", "AT-500", 500, "6.90"), line("PO-3003", "AT-510", 30, "38.00"),
    )  # fmt: skip
    invoices = (
        Invoice("INV-2101", "PO-2001", "SUP-002", Decimal("4800.00"), "USD", "overdue", today - d(40),
                today - d(2)),
    )  # fmt: skip
    stock = (("AB-1030", 300), ("TX-210", 800), ("TX-220", 50), ("HE-100", 900), ("HE-110", 75))
    return Scenario(orders, lines, invoices, stock)


def _is_late(order: Order, today: date) -> bool:
    due = order.eta or order.promised_date
    return order.is_open and due is not None and due < today


class FakeBackend:
    """The Backend protocol over dictionaries; every supplier read is scoped like the SQL one."""

    def __init__(self, today: date = TODAY, *, history: bool = False) -> None:
        """`history`: add the seed's two years of weekly orders (dialogue.demo_history) for trends and
        forecasts; off by default, so the other tests' figures stay as they are pinned."""
        self.today = today
        demo = load_demo(today)
        extra = scenario(today)
        weekly = generate_demand_history(demo, today) if history else None
        self.suppliers: dict[str, Supplier] = {s.id: s for s in demo.suppliers}
        self.customers: dict[str, Customer] = {c.id: c for c in demo.customers}
        self.products: dict[str, Product] = {p.sku: p for p in demo.products}
        self.orders: dict[str, Order] = {
            o.id: o for o in (*demo.orders, *extra.orders, *(weekly.orders if weekly else ()))
        }
        self.lines: list[OrderLine] = [*demo.lines, *extra.lines, *(weekly.lines if weekly else ())]
        self.invoices: dict[str, Invoice] = {i.id: i for i in (*demo.invoices, *extra.invoices)}
        self.stock: dict[str, int] = dict((*demo.stock, *extra.stock))
        self.issues: dict[str, list[str]] = {}
        for customer_id, title in demo.issues:
            self.issues.setdefault(customer_id, []).append(title)
        self.complaints: list[sales.Complaint] = []  # none in the demo data; tests add them
        self.stock_writes: list[tuple[str, str, int, str, str]] = []
        self._changes: dict[str, StockChange] = {}

    async def get_supplier(self, supplier_id: str) -> Supplier | None:
        return self.suppliers.get(supplier_id)

    async def get_order(self, supplier_id: str, order_id: str) -> Order | None:
        order = self.orders.get(order_id.upper())
        return order if order and order.supplier_id == supplier_id else None

    async def open_orders(self, supplier_id: str) -> Sequence[Order]:
        found = [o for o in self.orders.values() if o.supplier_id == supplier_id and o.is_open]
        return sorted(found, key=lambda o: o.created_at, reverse=True)

    async def get_invoice(self, supplier_id: str, invoice_id: str) -> Invoice | None:
        inv = self.invoices.get(invoice_id.upper())
        return inv if inv and inv.supplier_id == supplier_id else None

    async def invoices_for_order(self, supplier_id: str, order_id: str) -> Sequence[Invoice]:
        return [i for i in self.invoices.values() if i.supplier_id == supplier_id and i.order_id == order_id]

    async def open_invoices(self, supplier_id: str, limit: int) -> Sequence[Invoice]:
        found = [
            i
            for i in self.invoices.values()
            if i.supplier_id == supplier_id and i.status in ("open", "scheduled", "overdue")
        ]
        return sorted(found, key=lambda i: i.issued_at, reverse=True)[:limit]

    def _owned(self, supplier_id: str, sku: str) -> bool:
        product = self.products.get(sku.upper())
        return product is not None and product.supplier_id == supplier_id and sku.upper() in self.stock

    async def get_stock(self, supplier_id: str, sku: str) -> StockItem | None:
        if not self._owned(supplier_id, sku):
            return None
        return StockItem(sku.upper(), self.products[sku.upper()].name, self.stock[sku.upper()])

    async def list_stock(self, supplier_id: str) -> Sequence[StockItem]:
        return [
            StockItem(sku, self.products[sku].name, qty)
            for sku, qty in self.stock.items()
            if self._owned(supplier_id, sku)
        ]

    async def set_stock(
        self, supplier_id: str, sku: str, quantity: int, *, changed_by: str, request_id: str
    ) -> StockChange | None:
        if request_id in self._changes:
            return self._changes[request_id]
        if not self._owned(supplier_id, sku):
            return None
        old = self.stock[sku.upper()]
        self.stock[sku.upper()] = quantity
        self.stock_writes.append((supplier_id, sku.upper(), quantity, changed_by, request_id))
        change = StockChange(sku.upper(), old, quantity, changed_by)
        self._changes[request_id] = change
        return change

    async def get_product(self, sku: str) -> Product | None:
        return self.products.get(sku.upper())

    async def list_products(self) -> Sequence[Product]:
        return list(self.products.values())

    async def find_customer(self, name_or_id: str) -> Customer | None:
        key = name_or_id.strip().casefold()
        if not key:
            return None
        for c in self.customers.values():
            if key in (c.id.casefold(), c.name.casefold()):
                return c
        return next((c for c in self.customers.values() if key in c.name.casefold()), None)

    async def customer_profile(self, customer_id: str) -> CustomerProfile | None:
        customer = self.customers.get(customer_id)
        if customer is None:
            return None
        orders = sorted(
            (o for o in self.orders.values() if o.customer_id == customer_id),
            key=lambda o: o.created_at,
            reverse=True,
        )
        skus = tuple(
            dict.fromkeys(line.sku for line in await self.purchase_lines() if line.customer_id == customer_id)
        )
        return CustomerProfile(
            customer=customer,
            lifetime_value=Amounts.of((o.currency, o.total) for o in orders if o.status != "cancelled"),
            order_count=len(orders),
            last_orders=tuple(orders[:5]),
            open_issues=tuple(self.issues.get(customer_id, ())),
            purchased_skus=skus,
        )

    async def purchase_lines(self) -> Sequence[PurchaseLine]:
        return [
            PurchaseLine(line.order_id, self.orders[line.order_id].customer_id, line.sku, line.quantity)
            for line in self.lines
            if line.order_id in self.orders
        ]

    async def sales_summary(self, start: date, end: date) -> SalesSummary:
        orders = [
            o for o in self.orders.values() if start <= o.created_at.date() < end and o.status != "cancelled"
        ]
        by_supplier: dict[str, list[tuple[str, Decimal]]] = {}
        for o in orders:
            by_supplier.setdefault(self.suppliers[o.supplier_id].name, []).append((o.currency, o.total))
        by_category: dict[str, list[tuple[str, Decimal]]] = {}
        by_id = {o.id: o for o in orders}
        for line in self.lines:
            if line.order_id in by_id:
                category = self.products[line.sku].category
                amount = line.unit_price * line.quantity
                by_category.setdefault(category, []).append((by_id[line.order_id].currency, amount))
        late = tuple(sorted(o.id for o in orders if _is_late(o, self.today)))
        revenue = Amounts.of((o.currency, o.total) for o in orders)
        top = ranked(((k, Amounts.of(v)) for k, v in by_supplier.items()), revenue, 3)
        cats = ranked(((k, Amounts.of(v)) for k, v in by_category.items()), revenue, 3)
        return SalesSummary(start, end, len(orders), revenue, top, cats, late, escalations=1)

    async def order_activity(self, start: datetime, end: datetime, *, as_of: date) -> OrderActivity:
        placed = [o for o in self.orders.values() if start <= o.created_at < end and o.status != "cancelled"]
        revenue: dict[str, Decimal] = {}
        for o in placed:
            revenue[o.currency] = revenue.get(o.currency, Decimal(0)) + o.total
        late = sorted(
            ((o.eta or o.promised_date, o.id) for o in self.orders.values() if _is_late(o, as_of)),
            key=lambda due_id: (due_id[0] or as_of, due_id[1]),
        )
        return OrderActivity(
            order_count=len(placed),
            revenue=tuple(sorted(revenue.items(), key=lambda kv: (-kv[1], kv[0]))),
            late_orders=tuple(order_id for _due, order_id in late),
        )

    def _sold(self, start: date, end: date, sku: str | None = None) -> list[SoldLine]:
        out = []
        for line in self.lines:
            order = self.orders.get(line.order_id)
            if order is None or order.status == "cancelled" or (sku and line.sku != sku):
                continue
            day = order.created_at.date()
            if start <= day < end:
                product = self.products[line.sku]
                out.append(
                    SoldLine(
                        day,
                        line.sku,
                        product.name,
                        product.category,
                        line.quantity,
                        line.unit_price,
                        order.currency,
                    )
                )
        return out

    async def sales_by(self, start: date, end: date, *, by: str) -> Sequence[SalesLine]:
        return sales_lines(self._sold(start, end), by=by)

    async def daily_sales(self, start: date, end: date, *, by: str) -> Sequence[DailySales]:
        return daily_sales(self._sold(start, end), by=by)

    async def weekly_demand(
        self, sku: str, *, end: date, weeks: int, supplier_id: str | None = None
    ) -> DemandHistory | None:
        product = self.products.get(sku.upper())
        if product is None or (supplier_id is not None and product.supplier_id != supplier_id):
            return None
        first = end - timedelta(weeks=weeks + 1)
        sold = [(line.day, line.quantity) for line in self._sold(first, end, product.sku)]
        starts, units = weekly_units(sold, end=end, weeks=weeks)
        return DemandHistory(product, starts, units, self.stock.get(product.sku))

    # --- the sales query (issue 25): tests/fakes/sales.py -------------------------------------

    async def sales_query(self, query: SalesQuery) -> QueryResult:
        return sales.sales_query(self, query)

    async def quiet_customers(self, *, as_of: date, days: int, limit: int) -> Sequence[QuietCustomer]:
        return sales.quiet_customers(self, as_of=as_of, days=days, limit=limit)

    async def sales_names(self) -> SalesNames:
        return sales.sales_names(self)

    def known_names(self) -> Sequence[KnownName]:
        return [KnownName("customer", c.id, c.name) for c in self.customers.values()] + [
            KnownName("supplier", s.id, s.name, (s.name_zh,) if s.name_zh else ())
            for s in self.suppliers.values()
        ]


class FakeAccounts:
    """One-time link codes and the links they made; `links` pre-links (platform, user id) -> supplier."""

    def __init__(
        self, codes: Mapping[str, str] | None = None, links: Mapping[tuple[str, str], str] | None = None
    ) -> None:
        self.codes = dict(codes or {"LINK-SUNRISE": "SUP-001"})
        self.links: dict[tuple[str, str], str] = dict(links or {})

    async def linked_supplier(self, platform: str, user_id: str) -> str | None:
        return self.links.get((platform, user_id))

    async def redeem(self, code: str, platform: str, user_id: str) -> LinkResult:
        supplier = self.codes.pop(code, None)
        if supplier is None:
            return LinkResult(False, reason="invalid")
        self.links[(platform, user_id)] = supplier
        return LinkResult(True, supplier)

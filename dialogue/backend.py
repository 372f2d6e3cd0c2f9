"""The Backend protocol: what actions may read and write. The default implementation is SQL (bot/)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from dialogue.money import Amounts
from dialogue.queries import QueryResult, QuietCustomer, SalesNames, SalesQuery


@dataclass(frozen=True, slots=True)
class Supplier:
    id: str
    name: str
    name_zh: str = ""
    vip: bool = False
    contact_name: str = ""  # the registered contact: whom the team calls back (never a number from chat)
    email: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    supplier_id: str
    customer_id: str
    status: str  # pending_confirmation | confirmed | shipped | delivered | cancelled
    created_at: datetime
    total: Decimal
    currency: str = "USD"
    carrier: str | None = None
    tracking_number: str | None = None
    eta: date | None = None
    promised_date: date | None = None
    delivered_at: date | None = None

    @property
    def is_open(self) -> bool:
        return self.status in ("pending_confirmation", "confirmed", "shipped")


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str
    order_id: str
    supplier_id: str
    amount: Decimal
    currency: str
    status: str  # open | scheduled | paid | overdue
    issued_at: date
    due_date: date
    scheduled_date: date | None = None
    paid_at: date | None = None


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    supplier_id: str
    name: str
    category: str
    material: str = ""
    size: str = ""
    features: str = ""
    unit_price: Decimal = Decimal(0)
    currency: str = "USD"
    name_zh: str = ""  # the Chinese name, when the data has one (products.name_zh)

    def text(self) -> str:
        return " ".join(p for p in (self.name, self.category, self.material, self.features) if p)

    def display_name(self, language: str) -> str:
        """The name a reply in `language` shows: the Chinese one in Chinese, when there is one."""
        return self.name_zh if language == "zh" and self.name_zh else self.name


@dataclass(frozen=True, slots=True)
class StockItem:
    sku: str
    name: str
    quantity: int
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StockChange:
    sku: str
    old_quantity: int
    new_quantity: int
    changed_by: str


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    description: str = ""
    industry: str = ""
    contact_name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    customer: Customer
    lifetime_value: Amounts  # per currency, cancelled orders excluded
    order_count: int
    last_orders: tuple[Order, ...]
    open_issues: tuple[str, ...]
    purchased_skus: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SalesSummary:
    start: date
    end: date  # exclusive
    order_count: int
    revenue: Amounts  # per currency, never added across currencies
    top_suppliers: tuple[tuple[str, Amounts], ...]  # ranked by dialogue.money.ranked
    top_categories: tuple[tuple[str, Amounts], ...]
    late_orders: tuple[str, ...]
    escalations: int


@dataclass(frozen=True, slots=True)
class OrderActivity:
    """Orders placed in a time window, and the orders that are late on a given day."""

    order_count: int
    revenue: tuple[tuple[str, Decimal], ...]  # (currency, amount), biggest first
    late_orders: tuple[str, ...]  # open orders past their ETA (else promised date), most overdue first


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    order_id: str
    customer_id: str
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class SalesLine:
    """Sales of one category or product in a period (cancelled orders excluded)."""

    key: str  # the category, or the SKU
    name: str  # the category, or the product's name
    category: str
    units: int
    revenue: Decimal
    currency: str = "USD"  # the orders' currency: one line per key and currency


@dataclass(frozen=True, slots=True)
class DailySales:
    """Sales of one category or product on one day (cancelled orders excluded)."""

    day: date
    key: str  # the category, or the SKU
    name: str  # the category, or the product's name
    category: str
    units: int
    revenue: Decimal
    currency: str = "USD"  # the orders' currency: one line per key and currency


@dataclass(frozen=True, slots=True)
class DemandHistory:
    """Units of one SKU ordered per week (Monday to Sunday), oldest week first, and its stock."""

    product: Product
    week_starts: tuple[date, ...]
    units: tuple[int, ...]
    stock: int | None


class Backend(Protocol):
    """Every supplier-scoped read takes the supplier id; another supplier's data is simply not found."""

    async def get_supplier(self, supplier_id: str) -> Supplier | None: ...
    async def get_order(self, supplier_id: str, order_id: str) -> Order | None: ...
    async def open_orders(self, supplier_id: str) -> Sequence[Order]: ...
    async def get_invoice(self, supplier_id: str, invoice_id: str) -> Invoice | None: ...
    async def invoices_for_order(self, supplier_id: str, order_id: str) -> Sequence[Invoice]: ...
    async def open_invoices(self, supplier_id: str, limit: int) -> Sequence[Invoice]: ...
    async def get_stock(self, supplier_id: str, sku: str) -> StockItem | None: ...
    async def list_stock(self, supplier_id: str) -> Sequence[StockItem]: ...
    async def set_stock(
        self, supplier_id: str, sku: str, quantity: int, *, changed_by: str, request_id: str
    ) -> StockChange | None: ...
    async def get_product(self, sku: str) -> Product | None: ...
    async def list_products(self) -> Sequence[Product]: ...
    async def find_customer(self, name_or_id: str) -> Customer | None: ...
    async def customer_profile(self, customer_id: str) -> CustomerProfile | None: ...
    async def purchase_lines(self) -> Sequence[PurchaseLine]: ...
    async def sales_summary(self, start: date, end: date) -> SalesSummary: ...
    async def order_activity(self, start: datetime, end: datetime, *, as_of: date) -> OrderActivity: ...
    async def sales_by(self, start: date, end: date, *, by: str) -> Sequence[SalesLine]:
        """Units and revenue per category (by="category") or per SKU (by="product"), end exclusive."""
        ...

    async def daily_sales(self, start: date, end: date, *, by: str) -> Sequence[DailySales]:
        """Units and revenue per day and category (by="category") or SKU (by="product"), end exclusive;
        days without sales are left out."""
        ...

    async def weekly_demand(
        self, sku: str, *, end: date, weeks: int, supplier_id: str | None = None
    ) -> DemandHistory | None:
        """The `weeks` whole weeks before the week of `end`; None for an unknown SKU, or one that is
        not `supplier_id`'s when given (a supplier sees only their own SKUs)."""
        ...

    async def sales_query(self, query: SalesQuery) -> QueryResult:
        """A sales rep's question, answered in SQL (definitions: docs/metrics.md)."""
        ...

    async def quiet_customers(self, *, as_of: date, days: int, limit: int) -> Sequence[QuietCustomer]:
        """Customers whose last not-cancelled order is `days` or more days before `as_of`, longest quiet
        first."""
        ...

    async def sales_names(self) -> SalesNames:
        """The customers, suppliers, categories, products and industries a question may name."""
        ...


@dataclass(frozen=True, slots=True)
class LinkResult:
    ok: bool
    supplier_id: str | None = None
    reason: str = ""  # "invalid" | "expired" | "used" | ""


class Accounts(Protocol):
    """Supplier account linking (one-time codes)."""

    async def linked_supplier(self, platform: str, user_id: str) -> str | None: ...
    async def redeem(self, code: str, platform: str, user_id: str) -> LinkResult: ...

"""The SQL implementation of the Backend protocol: the demo backend behind every action."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import sales_history, sales_lists, sales_query, sales_report
from bot.storage.known_ids import StoreIds
from bot.storage.order_rules import OPEN_ORDER_STATUSES
from bot.storage.tables import (
    CustomerIssueRow,
    CustomerRow,
    InventoryChangeRow,
    InventoryRow,
    InvoiceRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SupplierRow,
)
from dialogue.backend import (
    Customer,
    CustomerProfile,
    DailySales,
    DemandHistory,
    Invoice,
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
from dialogue.clock import Clock
from dialogue.money import Amounts
from dialogue.queries import QueryResult, QuietCustomer, SalesNames, SalesQuery
from nlu.gazetteer import IdGazetteer
from nlu.types import KnownName

OPEN_INVOICE_STATUSES = ("open", "scheduled", "overdue")


def spellings(key: str) -> tuple[str, ...]:
    """An id as written and in capitals: the demo's ids are upper case, an import keeps its own case."""
    return tuple(dict.fromkeys((key, key.upper())))


def _order(row: OrderRow) -> Order:
    return Order(
        id=row.id,
        supplier_id=row.supplier_id,
        customer_id=row.customer_id,
        status=row.status,
        created_at=row.created_at,
        total=Decimal(row.total),
        currency=row.currency,
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        eta=row.eta,
        promised_date=row.promised_date,
        delivered_at=row.delivered_at,
    )


def _invoice(row: InvoiceRow) -> Invoice:
    return Invoice(
        id=row.id,
        order_id=row.order_id,
        supplier_id=row.supplier_id,
        amount=Decimal(row.amount),
        currency=row.currency,
        status=row.status,
        issued_at=row.issued_at,
        due_date=row.due_date,
        scheduled_date=row.scheduled_date,
        paid_at=row.paid_at,
    )


def _product(row: ProductRow) -> Product:
    return Product(
        sku=row.sku,
        supplier_id=row.supplier_id,
        name=row.name,
        category=row.category,
        material=row.material,
        size=row.size,
        features=row.features,
        unit_price=Decimal(row.unit_price),
        currency=row.currency,
        name_zh=row.name_zh,
    )


def _customer(row: CustomerRow) -> Customer:
    return Customer(
        id=row.id,
        name=row.name,
        description=row.description,
        industry=row.industry,
        contact_name=row.contact_name,
        email=row.email,
        phone=row.phone,
    )


class SqlBackend:
    """The demo backend. Every supplier-scoped query filters on the supplier id."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self._sm = sessionmaker
        self._clock = clock
        self._names: list[KnownName] = []
        self.ids = StoreIds(sessionmaker)

    async def get_supplier(self, supplier_id: str) -> Supplier | None:
        async with self._sm() as s:
            row = await s.get(SupplierRow, supplier_id)
        if row is None:
            return None
        return Supplier(row.id, row.name, row.name_zh, row.vip, row.contact_name, row.email, row.phone)

    async def get_order(self, supplier_id: str, order_id: str) -> Order | None:
        async with self._sm() as s:
            row = (
                await s.execute(
                    select(OrderRow)
                    .where(OrderRow.id.in_(spellings(order_id)), OrderRow.supplier_id == supplier_id)
                    .order_by((OrderRow.id == order_id).desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
        return _order(row) if row else None

    async def open_orders(self, supplier_id: str) -> Sequence[Order]:
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(OrderRow)
                    .where(
                        OrderRow.supplier_id == supplier_id,
                        OrderRow.status.in_(OPEN_ORDER_STATUSES),
                    )
                    .order_by(OrderRow.created_at.desc())
                )
            ).scalars()
            return [_order(r) for r in rows]

    async def get_invoice(self, supplier_id: str, invoice_id: str) -> Invoice | None:
        async with self._sm() as s:
            row = (
                await s.execute(
                    select(InvoiceRow)
                    .where(InvoiceRow.id.in_(spellings(invoice_id)), InvoiceRow.supplier_id == supplier_id)
                    .order_by((InvoiceRow.id == invoice_id).desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
        return _invoice(row) if row else None

    async def invoices_for_order(self, supplier_id: str, order_id: str) -> Sequence[Invoice]:
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(InvoiceRow)
                    .where(
                        InvoiceRow.order_id.in_(spellings(order_id)), InvoiceRow.supplier_id == supplier_id
                    )
                    .order_by(InvoiceRow.issued_at.desc())
                )
            ).scalars()
            return [_invoice(r) for r in rows]

    async def open_invoices(self, supplier_id: str, limit: int) -> Sequence[Invoice]:
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(InvoiceRow)
                    .where(
                        InvoiceRow.supplier_id == supplier_id, InvoiceRow.status.in_(OPEN_INVOICE_STATUSES)
                    )
                    .order_by(InvoiceRow.issued_at.desc(), InvoiceRow.id.desc())
                    .limit(limit)
                )
            ).scalars()
            return [_invoice(r) for r in rows]

    async def get_stock(self, supplier_id: str, sku: str) -> StockItem | None:
        async with self._sm() as s:
            row = (
                await s.execute(
                    select(ProductRow.sku, ProductRow.name, InventoryRow.quantity, InventoryRow.updated_at)
                    .join(InventoryRow, InventoryRow.sku == ProductRow.sku)
                    .where(ProductRow.sku.in_(spellings(sku)), ProductRow.supplier_id == supplier_id)
                    .order_by((ProductRow.sku == sku).desc())
                )
            ).first()
        return StockItem(row.sku, row.name, row.quantity, row.updated_at) if row else None

    async def list_stock(self, supplier_id: str) -> Sequence[StockItem]:
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(ProductRow.sku, ProductRow.name, InventoryRow.quantity, InventoryRow.updated_at)
                    .join(InventoryRow, InventoryRow.sku == ProductRow.sku)
                    .where(ProductRow.supplier_id == supplier_id)
                    .order_by(ProductRow.sku)
                )
            ).all()
        return [StockItem(r.sku, r.name, r.quantity, r.updated_at) for r in rows]

    async def set_stock(
        self, supplier_id: str, sku: str, quantity: int, *, changed_by: str, request_id: str
    ) -> StockChange | None:
        """Write a stock level, once per request id; None when the SKU is not this supplier's."""
        now = self._clock()
        async with self._sm() as s, s.begin():
            done = (
                await s.execute(select(InventoryChangeRow).where(InventoryChangeRow.request_id == request_id))
            ).scalar_one_or_none()
            if done is not None:
                return StockChange(done.sku, done.old_quantity, done.new_quantity, done.changed_by)
            owned = (
                await s.execute(
                    select(InventoryRow)
                    .join(ProductRow, ProductRow.sku == InventoryRow.sku)
                    .where(InventoryRow.sku.in_(spellings(sku)), ProductRow.supplier_id == supplier_id)
                    .order_by((InventoryRow.sku == sku).desc())
                    .limit(1)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if owned is None:
                return None
            sku = owned.sku  # as stored
            old = owned.quantity
            owned.quantity = quantity
            owned.updated_at = now
            owned.updated_by = changed_by
            s.add(
                InventoryChangeRow(
                    request_id=request_id,
                    sku=sku,
                    old_quantity=old,
                    new_quantity=quantity,
                    changed_by=changed_by,
                    changed_at=now,
                )
            )
        return StockChange(sku, old, quantity, changed_by)

    async def get_product(self, sku: str) -> Product | None:
        async with self._sm() as s:
            row = await s.get(ProductRow, sku) or await s.get(ProductRow, sku.upper())
        return _product(row) if row else None

    async def list_products(self) -> Sequence[Product]:
        async with self._sm() as s:
            return [
                _product(r) for r in (await s.execute(select(ProductRow).order_by(ProductRow.sku))).scalars()
            ]

    async def find_customer(self, name_or_id: str) -> Customer | None:
        key = name_or_id.strip()
        async with self._sm() as s:
            row = await s.get(CustomerRow, key) or await s.get(CustomerRow, key.upper())
            if row is None:
                row = (
                    await s.execute(select(CustomerRow).where(func.lower(CustomerRow.name) == key.lower()))
                ).scalar_one_or_none()
            if row is None and key:
                row = (
                    await s.execute(
                        select(CustomerRow)
                        .where(
                            func.lower(CustomerRow.name).like(f"%{_like_literal(key.lower())}%", escape="\\")
                        )
                        .limit(1)
                    )
                ).scalar_one_or_none()
        return _customer(row) if row else None

    async def customer_profile(self, customer_id: str) -> CustomerProfile | None:
        async with self._sm() as s:
            row = await s.get(CustomerRow, customer_id)
            if row is None:
                return None
            orders = [
                _order(o)
                for o in (
                    await s.execute(
                        select(OrderRow)
                        .where(OrderRow.customer_id == customer_id)
                        .order_by(OrderRow.created_at.desc())
                    )
                ).scalars()
            ]
            issues = (
                await s.execute(
                    select(CustomerIssueRow.title).where(
                        CustomerIssueRow.customer_id == customer_id, CustomerIssueRow.status == "open"
                    )
                )
            ).scalars()
            skus = (
                await s.execute(
                    select(OrderLineRow.sku)
                    .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
                    .where(OrderRow.customer_id == customer_id)
                    .distinct()
                )
            ).scalars()
            issue_list = tuple(issues)
            sku_list = tuple(sorted(skus))
            ltv = Amounts.of(
                (str(cur), Decimal(total or 0))
                for cur, total in (
                    await s.execute(
                        select(OrderRow.currency, func.sum(OrderRow.total))
                        .where(OrderRow.customer_id == customer_id, OrderRow.status != "cancelled")
                        .group_by(OrderRow.currency)
                    )
                ).all()
            )
        return CustomerProfile(_customer(row), ltv, len(orders), tuple(orders[:3]), issue_list, sku_list)

    async def purchase_lines(self) -> Sequence[PurchaseLine]:
        async with self._sm() as s:
            rows = (
                await s.execute(
                    select(
                        OrderLineRow.order_id, OrderRow.customer_id, OrderLineRow.sku, OrderLineRow.quantity
                    ).join(OrderRow, OrderRow.id == OrderLineRow.order_id)
                )
            ).all()
        return [PurchaseLine(r.order_id, r.customer_id, r.sku, r.quantity) for r in rows]

    # --- sales analytics: SQL in bot/storage/sales_report, sales_history, sales_query, sales_lists ---

    async def sales_summary(self, start: date, end: date) -> SalesSummary:
        return await sales_report.sales_summary(self._sm, start, end, today=self._clock().date())

    async def order_activity(self, start: datetime, end: datetime, *, as_of: date) -> OrderActivity:
        return await sales_report.order_activity(self._sm, start, end, as_of=as_of)

    async def sales_by(self, start: date, end: date, *, by: str) -> Sequence[SalesLine]:
        return await sales_history.sales_by(self._sm, start, end, by=by)

    async def daily_sales(self, start: date, end: date, *, by: str) -> Sequence[DailySales]:
        return await sales_history.sales_by_day(self._sm, start, end, by=by)

    async def weekly_demand(
        self, sku: str, *, end: date, weeks: int, supplier_id: str | None = None
    ) -> DemandHistory | None:
        product = await self.get_product(sku)
        return await sales_history.weekly_demand(
            self._sm, product, end=end, weeks=weeks, supplier_id=supplier_id
        )

    async def sales_query(self, query: SalesQuery) -> QueryResult:
        return await sales_query.sales_query(self._sm, query)

    async def quiet_customers(self, *, as_of: date, days: int, limit: int) -> Sequence[QuietCustomer]:
        return await sales_lists.quiet_customers(self._sm, as_of=as_of, days=days, limit=limit)

    async def sales_names(self) -> SalesNames:
        return await sales_lists.sales_names(self._sm)

    # --- names for the NLU --------------------------------------------------------------------

    async def refresh_names(self) -> None:
        """The names to fuzzy-match and the gazetteer of ids (bot.storage.known_ids), read from the store."""
        await self.ids.refresh()
        await self._read_names()

    async def _read_names(self) -> None:
        async with self._sm() as s:
            customers = (await s.execute(select(CustomerRow.id, CustomerRow.name))).all()
            suppliers = (await s.execute(select(SupplierRow.id, SupplierRow.name, SupplierRow.name_zh))).all()
        self._names = [KnownName("customer", c.id, c.name) for c in customers] + [
            KnownName("supplier", sp.id, sp.name, (sp.name_zh,) if sp.name_zh else ()) for sp in suppliers
        ]

    def known_names(self) -> Sequence[KnownName]:
        return self._names

    def id_gazetteer(self) -> IdGazetteer | None:
        return self.ids.id_gazetteer()

    async def refresh_ids_if_changed(self) -> bool:
        """After an import or a push (new ids, new names): both read again. One small query otherwise."""
        if not await self.ids.refresh_if_changed():
            return False
        await self._read_names()
        return True


def _like_literal(text: str) -> str:
    """`text` matched as it is inside a LIKE pattern (escape "\\"): "%" and "_" are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

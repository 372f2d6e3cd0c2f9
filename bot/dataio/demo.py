"""`opsbot db reset-demo`: remove the demo's rows (and only those) from the store.

The demo's ids are those `opsbot db seed-demo` writes: the data file's and the generated history's.
They do not depend on the day of seeding, so a fixed day gives them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, delete, func, or_, select

from bot.seed import generate_history
from bot.storage.tables import (
    CustomerIssueRow,
    CustomerRow,
    InventoryChangeRow,
    InventoryRow,
    InvoiceRow,
    LinkCodeRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SupplierLinkRow,
    SupplierRow,
)
from dialogue.demo import load_demo
from dialogue.demo_history import generate_demand_history
from dialogue.errors import OpsbotError

ANY_DAY = date(2026, 1, 5)


class DemoInUse(OpsbotError):
    """Rows that are not the demo's refer to demo rows."""


@dataclass(frozen=True, slots=True)
class DemoIds:
    suppliers: tuple[str, ...]
    customers: tuple[str, ...]
    skus: tuple[str, ...]
    orders: tuple[str, ...]
    invoices: tuple[str, ...]


def demo_ids() -> DemoIds:
    demo = load_demo(ANY_DAY)
    history = generate_history(demo, ANY_DAY)
    weekly = generate_demand_history(demo, ANY_DAY)
    return DemoIds(
        suppliers=_sorted(s.id for s in demo.suppliers),
        customers=_sorted(c.id for c in demo.customers),
        skus=_sorted(p.sku for p in demo.products),
        orders=_sorted(o.id for o in (*demo.orders, *history.orders, *weekly.orders)),
        invoices=_sorted(i.id for i in (*demo.invoices, *history.invoices)),
    )


def _sorted(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(ids)))


def _chunks(ids: tuple[str, ...], size: int = 500) -> list[tuple[str, ...]]:
    return [ids[n : n + size] for n in range(0, len(ids), size)]


def _foreign_users(conn: Connection, ids: DemoIds) -> list[str]:
    """What outside the demo refers to a demo row (then nothing is removed)."""
    checks = {
        "orders": select(func.count()).where(
            OrderRow.id.not_in(ids.orders),
            or_(OrderRow.supplier_id.in_(ids.suppliers), OrderRow.customer_id.in_(ids.customers)),
        ),
        "products": select(func.count()).where(
            ProductRow.sku.not_in(ids.skus), ProductRow.supplier_id.in_(ids.suppliers)
        ),
        "order lines": select(func.count()).where(
            OrderLineRow.order_id.not_in(ids.orders), OrderLineRow.sku.in_(ids.skus)
        ),
        "invoices": select(func.count()).where(
            InvoiceRow.id.not_in(ids.invoices),
            InvoiceRow.order_id.not_in(ids.orders),
            InvoiceRow.supplier_id.in_(ids.suppliers),
        ),
    }
    found = []
    for name, statement in checks.items():
        count = int(conn.execute(statement).scalar_one())
        if count:
            found.append(f"{count} {name}")
    return found


def reset_demo(conn: Connection) -> dict[str, int]:
    """Delete the demo's rows on `conn` (one transaction: the caller's); return the rows removed per table."""
    ids = demo_ids()
    users = _foreign_users(conn, ids)
    if users:
        raise DemoInUse(
            "rows that are not the demo's refer to demo suppliers, customers, products or orders "
            f"({', '.join(users)}); nothing was removed"
        )
    removed: dict[str, int] = {}

    def gone(name: str, count: int) -> None:
        removed[name] = removed.get(name, 0) + max(count, 0)

    for orders in _chunks(ids.orders):
        gone(
            "order_lines",
            conn.execute(delete(OrderLineRow).where(OrderLineRow.order_id.in_(orders))).rowcount,
        )
        gone("invoices", conn.execute(delete(InvoiceRow).where(InvoiceRow.order_id.in_(orders))).rowcount)
    gone("invoices", conn.execute(delete(InvoiceRow).where(InvoiceRow.id.in_(ids.invoices))).rowcount)
    for orders in _chunks(ids.orders):
        gone("orders", conn.execute(delete(OrderRow).where(OrderRow.id.in_(orders))).rowcount)
    conn.execute(delete(InventoryChangeRow).where(InventoryChangeRow.sku.in_(ids.skus)))
    gone("stock", conn.execute(delete(InventoryRow).where(InventoryRow.sku.in_(ids.skus))).rowcount)
    gone("products", conn.execute(delete(ProductRow).where(ProductRow.sku.in_(ids.skus))).rowcount)
    conn.execute(delete(CustomerIssueRow).where(CustomerIssueRow.customer_id.in_(ids.customers)))
    gone("customers", conn.execute(delete(CustomerRow).where(CustomerRow.id.in_(ids.customers))).rowcount)
    conn.execute(delete(SupplierLinkRow).where(SupplierLinkRow.supplier_id.in_(ids.suppliers)))
    conn.execute(delete(LinkCodeRow).where(LinkCodeRow.supplier_id.in_(ids.suppliers)))
    gone("suppliers", conn.execute(delete(SupplierRow).where(SupplierRow.id.in_(ids.suppliers))).rowcount)
    return removed

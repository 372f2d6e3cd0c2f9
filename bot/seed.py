"""`opsbot db seed-demo`: the demo data set (dialogue/data/demo.yml) plus a generated order history.

The fixed part comes from the data file (README.md documents it); this module generates, with a fixed
random seed, the stock of the other SKUs and about 80 further orders over the last 90 days with their
invoices. Dates are relative to the day of seeding.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.tables import (
    CustomerIssueRow,
    CustomerRow,
    InventoryRow,
    InvoiceRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SupplierRow,
)
from dialogue.backend import Invoice, Order
from dialogue.demo import DemoData, OrderLine, load_demo, order_time, order_total
from dialogue.demo_history import generate_demand_history

RANDOM_SEED = 20261122
GENERATED_ORDERS = 80
HISTORY_DAYS = 90
CARRIERS = ("DHL Express", "FedEx", "UPS", "SF Express", "Maersk")
FAVOURITE_SUPPLIERS = {"CUS-001": ["SUP-001", "SUP-003"], "CUS-002": ["SUP-005", "SUP-004"]}


@dataclass
class History:
    """What the seed generates on top of the data file."""

    stock: dict[str, int] = field(default_factory=dict)  # every SKU
    orders: list[Order] = field(default_factory=list)
    lines: list[OrderLine] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)


def generate_history(demo: DemoData, today: date) -> History:
    """Stock for the SKUs the file leaves open, and ~80 orders over the last 90 days (deterministic)."""
    rng = random.Random(RANDOM_SEED)
    fixed_stock = dict(demo.stock)
    history = History()
    for product in demo.products:
        generated = rng.randrange(50, 5000, 10)  # drawn for every SKU, so the sequence never shifts
        history.stock[product.sku] = fixed_stock.get(product.sku, generated)
    by_supplier: dict[str, list[str]] = {}
    for product in demo.products:
        by_supplier.setdefault(product.supplier_id, []).append(product.sku)
    prices = {p.sku: p.unit_price for p in demo.products}
    customer_ids = [c.id for c in demo.customers]
    favourite = {cid: rng.sample(list(by_supplier), 2) for cid in customer_ids}
    favourite.update(FAVOURITE_SUPPLIERS)
    invoice_number = 3001
    for n in range(GENERATED_ORDERS):
        oid = f"PO-{3001 + n}"
        cid = rng.choice(customer_ids)
        sid = rng.choice(favourite[cid]) if rng.random() < 0.8 else rng.choice(list(by_supplier))
        created = today - timedelta(days=rng.randint(0, HISTORY_DAYS))
        skus = rng.sample(by_supplier[sid], k=min(len(by_supplier[sid]), rng.randint(1, 3)))
        lines = [OrderLine(oid, sku, rng.randrange(20, 800, 10), prices[sku]) for sku in skus]
        age = (today - created).days
        if age > 20:
            status = "delivered" if rng.random() < 0.92 else "cancelled"
        elif age > 5:
            status = rng.choice(["shipped", "shipped", "delivered", "confirmed"])
        else:
            status = rng.choice(["pending_confirmation", "confirmed", "shipped"])
        eta = created + timedelta(days=rng.randint(7, 18))
        carrier = tracking = delivered = None
        if status in ("shipped", "delivered"):
            carrier = rng.choice(CARRIERS)
            tracking = f"TRK{rng.randrange(10**9, 10**10)}"
        if status == "delivered":
            delivered = min(today, eta + timedelta(days=rng.randint(-2, 3)))
        total = order_total(lines)
        history.orders.append(
            Order(
                id=oid,
                supplier_id=sid,
                customer_id=cid,
                status=status,
                created_at=order_time(created),
                total=total,
                carrier=carrier,
                tracking_number=tracking,
                eta=eta if carrier else None,
                promised_date=eta,
                delivered_at=delivered,
            )
        )
        history.lines.extend(lines)
        if status in ("shipped", "delivered"):
            due = created + timedelta(days=45)
            paid = status == "delivered" and due - timedelta(days=10) < today
            history.invoices.append(
                Invoice(
                    id=f"INV-{invoice_number}",
                    order_id=oid,
                    supplier_id=sid,
                    amount=total,
                    currency="USD",
                    status="paid" if paid else ("overdue" if due < today else "open"),
                    issued_at=created + timedelta(days=2),
                    due_date=due,
                    paid_at=(due - timedelta(days=rng.randint(1, 10))) if paid else None,
                )
            )
            invoice_number += 1
    return history


def _order_values(order: Order) -> dict[str, object]:
    return dict(
        id=order.id,
        supplier_id=order.supplier_id,
        customer_id=order.customer_id,
        status=order.status,
        created_at=order.created_at,
        total=order.total,
        currency=order.currency,
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        eta=order.eta,
        promised_date=order.promised_date,
        delivered_at=order.delivered_at,
    )


def _invoice_values(invoice: Invoice) -> dict[str, object]:
    return dict(
        id=invoice.id,
        order_id=invoice.order_id,
        supplier_id=invoice.supplier_id,
        amount=invoice.amount,
        currency=invoice.currency,
        status=invoice.status,
        issued_at=invoice.issued_at,
        due_date=invoice.due_date,
        scheduled_date=invoice.scheduled_date,
        paid_at=invoice.paid_at,
    )


async def is_empty(sm: async_sessionmaker[AsyncSession]) -> bool:
    async with sm() as s:
        return int((await s.execute(select(func.count()).select_from(SupplierRow))).scalar_one()) == 0


async def seed_demo(sm: async_sessionmaker[AsyncSession], *, today: date) -> dict[str, int]:
    """Write the demo data set; the fixed part is documented in README.md."""
    demo = load_demo(today)
    history = generate_history(demo, today)
    weekly = generate_demand_history(demo, today)  # two years of weekly orders: trends and forecasts
    now = datetime.combine(today, time(8, 0), tzinfo=UTC)
    contacts = {c.supplier_id: c for c in demo.contacts}
    async with sm() as s, s.begin():
        for sp in demo.suppliers:
            contact = contacts[sp.id]
            s.add(
                SupplierRow(
                    id=sp.id,
                    name=sp.name,
                    name_zh=sp.name_zh,
                    contact_name=contact.contact_name,
                    email=contact.email,
                    country=contact.country,
                    vip=sp.vip,
                    phone=contact.phone,
                )
            )
        for c in demo.customers:
            s.add(
                CustomerRow(
                    id=c.id,
                    name=c.name,
                    description=c.description,
                    industry=c.industry,
                    contact_name=c.contact_name,
                    email=c.email,
                    phone=c.phone,
                    country="",
                )
            )
        await s.flush()
        for p in demo.products:
            s.add(
                ProductRow(
                    sku=p.sku,
                    supplier_id=p.supplier_id,
                    name=p.name,
                    category=p.category,
                    material=p.material,
                    size=p.size,
                    features=p.features,
                    unit_price=p.unit_price,
                    currency=p.currency,
                )
            )
        await s.flush()
        # Thousands of rows (two years of weekly orders): bulk INSERTs (executemany), not one ORM object each.
        stock = [
            dict(sku=sku, quantity=quantity, updated_at=now, updated_by="seed")
            for sku, quantity in history.stock.items()
        ]
        await s.execute(insert(InventoryRow), stock)
        orders = (*demo.orders, *history.orders, *weekly.orders)
        await s.execute(insert(OrderRow), [_order_values(o) for o in orders])
        lines = (*demo.lines, *history.lines, *weekly.lines)
        await s.execute(
            insert(OrderLineRow),
            [
                dict(order_id=x.order_id, sku=x.sku, quantity=x.quantity, unit_price=x.unit_price)
                for x in lines
            ],
        )
        invoices = (*demo.invoices, *history.invoices)
        await s.execute(insert(InvoiceRow), [_invoice_values(i) for i in invoices])
        for customer_id, title in demo.issues:
            s.add(CustomerIssueRow(customer_id=customer_id, title=title, status="open", created_at=now))
    async with sm() as s:
        counts = {
            "suppliers": len(demo.suppliers),
            "customers": len(demo.customers),
            "products": len(demo.products),
            "orders": int((await s.execute(select(func.count()).select_from(OrderRow))).scalar_one()),
            "invoices": int((await s.execute(select(func.count()).select_from(InvoiceRow))).scalar_one()),
        }
    return counts

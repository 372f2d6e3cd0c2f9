"""The operator's data as opsbot reads it (suppliers, customers, products, stock, orders, invoices), how it
came in (imports, pushed batches), the changes it tells suppliers about, and suppliers' linked accounts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.tables.base import Base, CleanString, CleanText, IdType, UTCDateTime, ts

# --- demo backend ----------------------------------------------------------------------------


class SupplierRow(Base):
    __tablename__ = "suppliers"

    id: Mapped[str] = mapped_column(CleanString(32), primary_key=True)
    name: Mapped[str] = mapped_column(CleanString(200))
    name_zh: Mapped[str] = mapped_column(CleanString(200), default="")
    contact_name: Mapped[str] = mapped_column(CleanString(200), default="")
    email: Mapped[str] = mapped_column(CleanString(200), default="")
    country: Mapped[str] = mapped_column(CleanString(64), default="")
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str] = mapped_column(CleanString(64), default="")  # the registered number to call back


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(CleanString(32), primary_key=True)
    name: Mapped[str] = mapped_column(CleanString(200), index=True)
    description: Mapped[str] = mapped_column(CleanText, default="")
    industry: Mapped[str] = mapped_column(CleanString(64), default="")
    contact_name: Mapped[str] = mapped_column(CleanString(200), default="")
    email: Mapped[str] = mapped_column(CleanString(200), default="")
    phone: Mapped[str] = mapped_column(CleanString(64), default="")
    country: Mapped[str] = mapped_column(CleanString(64), default="")


class ProductRow(Base):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(CleanString(32), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"), index=True)
    name: Mapped[str] = mapped_column(CleanString(200))
    name_zh: Mapped[str] = mapped_column(CleanString(200), default="")  # from `opsbot import` (0006)
    category: Mapped[str] = mapped_column(CleanString(100))
    material: Mapped[str] = mapped_column(CleanString(100), default="")
    size: Mapped[str] = mapped_column(CleanString(100), default="")
    features: Mapped[str] = mapped_column(CleanText, default="")
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(CleanString(3), default="USD")


class InventoryRow(Base):
    __tablename__ = "inventory"

    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(ts())
    updated_by: Mapped[str] = mapped_column(CleanString(160), default="")


class InventoryChangeRow(Base):
    """Audit of stock changes; request_id makes a write idempotent across retries."""

    __tablename__ = "inventory_changes"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(CleanString(128), unique=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), index=True)
    old_quantity: Mapped[int] = mapped_column(Integer)
    new_quantity: Mapped[int] = mapped_column(Integer)
    changed_by: Mapped[str] = mapped_column(CleanString(160))
    changed_at: Mapped[datetime] = mapped_column(ts())


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_placed", "created_at", "status", "currency", "id"),)  # 0009

    id: Mapped[str] = mapped_column(CleanString(32), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(
        String(32)
    )  # pending_confirmation|confirmed|shipped|delivered|cancelled
    created_at: Mapped[datetime] = mapped_column(ts(), index=True)
    carrier: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    tracking_number: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    eta: Mapped[date | None] = mapped_column(Date, nullable=True)
    promised_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    delivered_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(CleanString(3), default="USD")


class OrderLineRow(Base):
    __tablename__ = "order_lines"
    __table_args__ = (Index("ix_order_lines_sold", "order_id", "sku", "quantity", "unit_price"),)  # 0009

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class InvoiceRow(Base):
    __tablename__ = "invoices"

    id: Mapped[str] = mapped_column(CleanString(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(CleanString(3), default="USD")
    status: Mapped[str] = mapped_column(CleanString(16))  # open|scheduled|paid|overdue
    issued_at: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    scheduled_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    paid_at: Mapped[date | None] = mapped_column(Date, nullable=True)


class DataImportRow(Base):
    """One applied `opsbot import` run: `opsbot run --setup` seeds the demo only if there was none."""

    __tablename__ = "data_imports"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(CleanString(500))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # entity -> inserted/updated/unchanged
    imported_at: Mapped[datetime] = mapped_column(ts())


class ApiBatchRow(Base):
    """A batch pushed to `POST /api/v1/{entity}`, queued until a worker applies it (bot.api.batches)."""

    __tablename__ = "api_batches"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)  # "{entity}:{key}"
    body_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # JSON Lines, ASCII; line n is the request's row n
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # counts, or errors
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CustomerIssueRow(Base):
    __tablename__ = "customer_issues"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    title: Mapped[str] = mapped_column(CleanString(300))
    status: Mapped[str] = mapped_column(CleanString(16), default="open")
    created_at: Mapped[datetime] = mapped_column(ts())


# --- changes that reach suppliers (issue 23) -------------------------------------------------


class DataChangeRow(Base):
    """A change a supplier cares about (an order shipped, an invoice paid), once per (kind, id, value)."""

    __tablename__ = "data_changes"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(CleanString(255), unique=True)  # kind:entity id:new value
    kind: Mapped[str] = mapped_column(CleanString(32))  # order_shipped|order_delivered|order_eta|invoice_*
    entity_id: Mapped[str] = mapped_column(CleanString(64))
    supplier_id: Mapped[str] = mapped_column(CleanString(32), index=True)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    changed_at: Mapped[datetime] = mapped_column(ts(), index=True)


class NotificationRow(Base):
    """One change told to one chat: queued to the outbox, or held through quiet hours until `release_at`."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("change_id", "conversation_key", name="uq_notification_chat"),
        Index("ix_notifications_held", "status", "release_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("data_changes.id"))
    conversation_key: Mapped[str] = mapped_column(CleanString(255))
    status: Mapped[str] = mapped_column(CleanString(16))  # held | queued | dropped
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    release_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
    outbox_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(ts())


# --- account linking -------------------------------------------------------------------------


class SupplierLinkRow(Base):
    __tablename__ = "supplier_links"
    __table_args__ = (UniqueConstraint("platform", "user_id", name="uq_link_user"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    user_id: Mapped[str] = mapped_column(CleanString(128))
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"))
    linked_at: Mapped[datetime] = mapped_column(ts())


class LinkCodeRow(Base):
    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(CleanString(64), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"))
    created_at: Mapped[datetime] = mapped_column(ts())
    expires_at: Mapped[datetime] = mapped_column(ts())
    used_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
    used_by: Mapped[str | None] = mapped_column(CleanString(160), nullable=True)

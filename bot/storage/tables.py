"""SQLAlchemy 2 models. Alembic migrations in bot/migrations mirror them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

IdType = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts() -> Any:
    return UTCDateTime()


def storable(value: str) -> str:
    """Text as every database stores it: no NUL (PostgreSQL refuses it), no lone surrogate (not UTF-8)."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


class CleanString(TypeDecorator[str]):
    """A VARCHAR that stores what the database can take (see `storable`); the raw payload keeps the rest."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return storable(value) if isinstance(value, str) else value


class CleanText(CleanString):
    impl = Text
    cache_ok = True


# --- conversations and their log -------------------------------------------------------------


class ConversationRow(Base):
    """One session per conversation key; expires after inactivity, history is kept in turn_events."""

    __tablename__ = "conversations"

    key: Mapped[str] = mapped_column(CleanString(255), primary_key=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    user_id: Mapped[str] = mapped_column(CleanString(128), default="")
    language: Mapped[str] = mapped_column(CleanString(8), default="en")
    supplier_id: Mapped[str | None] = mapped_column(CleanString(32), nullable=True)
    controller: Mapped[str] = mapped_column(CleanString(8), default="bot")  # bot | human
    active_form: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    session_started_at: Mapped[datetime] = mapped_column(_ts())
    last_activity_at: Mapped[datetime] = mapped_column(_ts(), index=True)
    delivery_blocked: Mapped[str | None] = mapped_column(CleanText, nullable=True)
    created_at: Mapped[datetime] = mapped_column(_ts())


class TurnEventRow(Base):
    """Append-only log of what happened in a conversation."""

    __tablename__ = "turn_events"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    conversation_key: Mapped[str] = mapped_column(CleanString(255), index=True)
    inbox_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    kind: Mapped[str] = mapped_column(CleanString(32))  # user | bot | system
    text: Mapped[str] = mapped_column(CleanText, default="")
    intent: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    entities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    action: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    outcome: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    used_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(_ts(), index=True)


# --- durable pipeline ------------------------------------------------------------------------


class InboxRow(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_inbox_external"),
        UniqueConstraint("platform", "dedupe_key", name="uq_inbox_dedupe"),
        Index("ix_inbox_claim", "status", "conversation_key", "id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    external_id: Mapped[str] = mapped_column(CleanString(255))
    dedupe_key: Mapped[str | None] = mapped_column(CleanString(255), nullable=True)
    conversation_key: Mapped[str] = mapped_column(CleanString(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(CleanString(16), default="pending")  # pending|processing|done|dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_token: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    lease_holder: Mapped[str | None] = mapped_column(CleanString(96), nullable=True)  # the claiming process
    lease_until: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    error: Mapped[str | None] = mapped_column(CleanText, nullable=True)
    received_at: Mapped[datetime] = mapped_column(_ts())
    processed_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    inbox_id: Mapped[int | None] = mapped_column(IdType, nullable=True, index=True)
    conversation_key: Mapped[str] = mapped_column(CleanString(255), index=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(CleanString(16), default="pending")  # pending|sending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(_ts())
    lease_holder: Mapped[str | None] = mapped_column(CleanString(96), nullable=True)  # the sending process
    lease_until: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    platform_message_id: Mapped[str | None] = mapped_column(CleanString(128), nullable=True)
    error: Mapped[str | None] = mapped_column(CleanText, nullable=True)
    created_at: Mapped[datetime] = mapped_column(_ts())
    sent_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)


class RejectedUpdateRow(Base):
    """A request that carried nothing we could use (unparseable, unsupported), kept for inspection."""

    __tablename__ = "rejected_updates"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    reason: Mapped[str] = mapped_column(CleanString(64))
    detail: Mapped[str] = mapped_column(CleanText, default="")
    body: Mapped[str] = mapped_column(CleanText, default="")
    received_at: Mapped[datetime] = mapped_column(_ts(), index=True)


class GeneratedFileRow(Base):
    """A file the bot made for a reply (a chart), kept until its message is delivered and a while after."""

    __tablename__ = "generated_files"

    id: Mapped[str] = mapped_column(CleanString(36), primary_key=True)  # a random UUID: also the web link
    file_name: Mapped[str] = mapped_column(CleanString(255))
    mime_type: Mapped[str] = mapped_column(CleanString(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(_ts(), index=True)


class JobRunRow(Base):
    """Marks a scheduled job as done for a period, so that several processes run it once."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period_key", name="uq_job_period"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(CleanString(64))
    period_key: Mapped[str] = mapped_column(CleanString(64))
    created_at: Mapped[datetime] = mapped_column(_ts())


# --- escalations -----------------------------------------------------------------------------


class EscalationRow(Base):
    """One handoff to a person; `version` is compare-and-set by every change."""

    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalation_open", "conversation_key", "status"),
        Index(
            "uq_escalation_open_per_conversation",
            "conversation_key",
            unique=True,
            sqlite_where=text("status IN ('pending', 'assigned')"),
            postgresql_where=text("status IN ('pending', 'assigned')"),
        ),
        Index("ix_escalation_card", "card_ts"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    conversation_key: Mapped[str] = mapped_column(CleanString(255))
    supplier_id: Mapped[str | None] = mapped_column(CleanString(32), nullable=True)
    supplier_name: Mapped[str] = mapped_column(CleanString(200), default="")
    user_name: Mapped[str] = mapped_column(CleanString(200), default="")
    language: Mapped[str] = mapped_column(CleanString(8), default="en")
    reason: Mapped[str] = mapped_column(CleanString(64))  # the first reason's code
    detail: Mapped[str] = mapped_column(CleanText, default="")
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"code", "detail"}]
    priority: Mapped[str] = mapped_column(CleanString(16), default="normal")
    status: Mapped[str] = mapped_column(CleanString(16), default="pending")
    assignee: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    assignee_name: Mapped[str] = mapped_column(CleanString(200), default="")
    order_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    invoice_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(CleanText, default="")
    turns: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"who", "text"}]
    card_channel: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    card_ts: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(_ts())
    claim_due_at: Mapped[datetime] = mapped_column(_ts())
    resolve_due_at: Mapped[datetime] = mapped_column(_ts())
    updated_at: Mapped[datetime] = mapped_column(_ts())
    assigned_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    claim_renotified_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    resolve_warned_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    csat_asked_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    csat_rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    csat_comment: Mapped[str] = mapped_column(CleanText, default="")


class EscalationEventRow(Base):
    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    kind: Mapped[str] = mapped_column(
        String(32)
    )  # created|assigned|resolved|closed|returned|renotified|breached
    actor: Mapped[str] = mapped_column(CleanString(64), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(_ts())


# --- account linking -------------------------------------------------------------------------


class EscalationRelayRow(Base):
    """An agent's desk message relayed to the supplier, so its edits, deletion and receipt follow it."""

    __tablename__ = "escalation_relays"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    source_ref: Mapped[str] = mapped_column(CleanString(128), index=True)  # "slack:C123:1700000000.000100"
    outbox_id: Mapped[int] = mapped_column(IdType)
    created_at: Mapped[datetime] = mapped_column(_ts())


class SupplierLinkRow(Base):
    __tablename__ = "supplier_links"
    __table_args__ = (UniqueConstraint("platform", "user_id", name="uq_link_user"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    user_id: Mapped[str] = mapped_column(CleanString(128))
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"))
    linked_at: Mapped[datetime] = mapped_column(_ts())


class LinkCodeRow(Base):
    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(CleanString(64), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"))
    created_at: Mapped[datetime] = mapped_column(_ts())
    expires_at: Mapped[datetime] = mapped_column(_ts())
    used_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    used_by: Mapped[str | None] = mapped_column(CleanString(160), nullable=True)


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
    updated_at: Mapped[datetime] = mapped_column(_ts())
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
    changed_at: Mapped[datetime] = mapped_column(_ts())


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_placed", "created_at", "status", "currency", "id"),)  # 0009

    id: Mapped[str] = mapped_column(CleanString(32), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(
        String(32)
    )  # pending_confirmation|confirmed|shipped|delivered|cancelled
    created_at: Mapped[datetime] = mapped_column(_ts(), index=True)
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
    imported_at: Mapped[datetime] = mapped_column(_ts())


class CustomerIssueRow(Base):
    __tablename__ = "customer_issues"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    title: Mapped[str] = mapped_column(CleanString(300))
    status: Mapped[str] = mapped_column(CleanString(16), default="open")
    created_at: Mapped[datetime] = mapped_column(_ts())


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
    changed_at: Mapped[datetime] = mapped_column(_ts(), index=True)


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
    release_at: Mapped[datetime | None] = mapped_column(_ts(), nullable=True)
    outbox_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(_ts())

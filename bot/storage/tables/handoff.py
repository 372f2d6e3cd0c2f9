"""The handoff's tables: escalations, their audit events and the agents' messages relayed to suppliers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.tables.base import Base, CleanString, CleanText, IdType, ts

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
    created_at: Mapped[datetime] = mapped_column(ts())
    claim_due_at: Mapped[datetime] = mapped_column(ts())
    resolve_due_at: Mapped[datetime] = mapped_column(ts())
    updated_at: Mapped[datetime] = mapped_column(ts())
    assigned_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
    claim_renotified_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
    resolve_warned_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
    csat_asked_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
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
    created_at: Mapped[datetime] = mapped_column(ts())


class EscalationRelayRow(Base):
    """An agent's desk message relayed to the supplier, so its edits, deletion and receipt follow it."""

    __tablename__ = "escalation_relays"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    source_ref: Mapped[str] = mapped_column(CleanString(128), index=True)  # "slack:C123:1700000000.000100"
    outbox_id: Mapped[int] = mapped_column(IdType)
    created_at: Mapped[datetime] = mapped_column(ts())

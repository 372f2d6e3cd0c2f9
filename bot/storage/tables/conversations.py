"""The conversations and the durable pipeline: sessions, the turn log, inbox, outbox and job bookkeeping."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.tables.base import Base, CleanString, CleanText, IdType, ts

# --- conversations and their log -------------------------------------------------------------


class ConversationRow(Base):
    """One session per conversation key; expires after inactivity, history is kept in turn_events."""

    __tablename__ = "conversations"

    key: Mapped[str] = mapped_column(CleanString(255), primary_key=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    user_id: Mapped[str] = mapped_column(CleanString(128), default="")
    language: Mapped[str] = mapped_column(CleanString(8), default="en")
    supplier_id: Mapped[str | None] = mapped_column(CleanString(32), nullable=True)
    active_form: Mapped[str | None] = mapped_column(CleanString(64), nullable=True)
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    session_started_at: Mapped[datetime] = mapped_column(ts())
    last_activity_at: Mapped[datetime] = mapped_column(ts(), index=True)
    delivery_blocked: Mapped[str | None] = mapped_column(CleanText, nullable=True)
    created_at: Mapped[datetime] = mapped_column(ts())


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
    created_at: Mapped[datetime] = mapped_column(ts(), index=True)


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
    lease_until: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
    error: Mapped[str | None] = mapped_column(CleanText, nullable=True)
    received_at: Mapped[datetime] = mapped_column(ts())
    processed_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)


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
    next_attempt_at: Mapped[datetime] = mapped_column(ts())
    lease_holder: Mapped[str | None] = mapped_column(CleanString(96), nullable=True)  # the sending process
    lease_until: Mapped[datetime | None] = mapped_column(ts(), nullable=True)
    platform_message_id: Mapped[str | None] = mapped_column(CleanString(128), nullable=True)
    error: Mapped[str | None] = mapped_column(CleanText, nullable=True)
    created_at: Mapped[datetime] = mapped_column(ts())
    sent_at: Mapped[datetime | None] = mapped_column(ts(), nullable=True)


class RejectedUpdateRow(Base):
    """A request that carried nothing we could use (unparseable, unsupported), kept for inspection."""

    __tablename__ = "rejected_updates"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(CleanString(16))
    reason: Mapped[str] = mapped_column(CleanString(64))
    detail: Mapped[str] = mapped_column(CleanText, default="")
    body: Mapped[str] = mapped_column(CleanText, default="")
    received_at: Mapped[datetime] = mapped_column(ts(), index=True)


class GeneratedFileRow(Base):
    """A file the bot made for a reply (a chart), kept until its message is delivered and a while after."""

    __tablename__ = "generated_files"

    id: Mapped[str] = mapped_column(CleanString(36), primary_key=True)  # a random UUID: also the web link
    file_name: Mapped[str] = mapped_column(CleanString(255))
    mime_type: Mapped[str] = mapped_column(CleanString(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(ts(), index=True)


class JobRunRow(Base):
    """Marks a scheduled job as done for a period, so that several processes run it once."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period_key", name="uq_job_period"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(CleanString(64))
    period_key: Mapped[str] = mapped_column(CleanString(64))
    created_at: Mapped[datetime] = mapped_column(ts())

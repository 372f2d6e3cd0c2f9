"""Escalations to a person: their states, reasons, agents and audit events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PENDING = "pending"  # waiting for an agent
    ASSIGNED = "assigned"  # an agent holds it
    RESOLVED = "resolved"  # the agent is done; closed after handoff.auto_close_hours
    CLOSED = "closed"
    RETURNED = "returned"  # handed back to the bot
    WITHDRAWN = "withdrawn"  # the supplier cancelled while it was pending


OPEN_STATUSES = frozenset({Status.PENDING, Status.ASSIGNED})


class Priority(StrEnum):
    NORMAL = "normal"
    HIGH = "high"


class ReasonCode(StrEnum):
    USER_REQUEST = "user_request"  # the intent, /human, or the offered button
    REPEATED_FALLBACK = "repeated_fallback"  # the bot misunderstood N times and the offer was accepted
    COMPLAINT = "complaint"  # a complaint with negative sentiment
    VIP_SUPPLIER = "vip_supplier"  # handoff.vip_suppliers
    ORDER_VALUE = "order_value"  # an order above handoff.order_value_threshold
    RISK_BANK_DETAILS = "risk_bank_details"  # asked to change bank details or to pay another account


REASON_LABELS: Mapping[str, str] = {
    ReasonCode.USER_REQUEST: "asked for a person",
    ReasonCode.REPEATED_FALLBACK: "the bot did not understand",
    ReasonCode.COMPLAINT: "complaint",
    ReasonCode.VIP_SUPPLIER: "VIP supplier",
    ReasonCode.ORDER_VALUE: "high-value order",
    ReasonCode.RISK_BANK_DETAILS: "risk: bank details",
}


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    detail: str = ""

    def describe(self) -> str:
        label = REASON_LABELS.get(self.code, self.code.replace("_", " "))
        return f"{label}: {self.detail}" if self.detail else label


@dataclass(frozen=True, slots=True)
class Agent:
    """A person who handles escalations; `id` is platform-qualified ("slack:U123", "cli:ops")."""

    id: str
    name: str = ""

    @property
    def display(self) -> str:
        return self.name or self.id.split(":", 1)[-1]


@dataclass(frozen=True, slots=True)
class TurnLine:
    """One line of the conversation, for the card's summary."""

    who: str  # "supplier" | "bot" | "agent"
    text: str


@dataclass(frozen=True, slots=True)
class Escalation:
    id: int
    conversation_key: str  # the supplier's conversation
    status: Status
    priority: Priority
    reasons: tuple[Reason, ...]
    language: str
    created_at: datetime
    claim_due_at: datetime
    resolve_due_at: datetime
    updated_at: datetime
    version: int
    supplier_id: str | None = None
    supplier_name: str = ""
    user_name: str = ""  # the supplier's display name on their platform
    summary: tuple[TurnLine, ...] = ()
    order_ids: tuple[str, ...] = ()
    invoice_ids: tuple[str, ...] = ()
    assignee: Agent | None = None
    assigned_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    card_ref: str = ""  # the platform message id of the desk's card (a Slack ts)
    renotified_at: datetime | None = None  # the desk was reminded that nobody claimed it
    warned_at: datetime | None = None  # the thread was warned that the resolve deadline nears
    breached_at: datetime | None = None  # the resolve deadline passed while it was open
    csat_asked_at: datetime | None = None
    csat_rating: int | None = None
    csat_comment: str = ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of an escalation's audit log."""

    kind: str  # created | trigger | assigned | unassigned | transferred | resolved | returned | ...
    actor: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

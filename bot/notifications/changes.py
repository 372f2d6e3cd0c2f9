"""What an update means to a supplier: an order shipped or delivered, its ETA moved, an invoice
scheduled or paid. A row that is inserted is not a change; one that is updated may hold several."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

ORDER_SHIPPED = "order_shipped"
ORDER_DELIVERED = "order_delivered"
ORDER_ETA = "order_eta"
INVOICE_SCHEDULED = "invoice_scheduled"
INVOICE_PAID = "invoice_paid"
KINDS = (ORDER_SHIPPED, ORDER_DELIVERED, ORDER_ETA, INVOICE_SCHEDULED, INVOICE_PAID)

_ORDER_STATUS = {"shipped": ORDER_SHIPPED, "delivered": ORDER_DELIVERED}
_INVOICE_STATUS = {"scheduled": INVOICE_SCHEDULED, "paid": INVOICE_PAID}
_CLOSED = ("delivered", "cancelled")


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    entity_id: str
    supplier_id: str
    value: str  # the new value: the same change arriving again has the same dedupe key
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        return f"{self.kind}:{self.entity_id}:{self.value}"[:255]


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _facts(row: dict[str, Any], *names: str) -> dict[str, str]:
    return {name: _text(row.get(name)) for name in names if row.get(name) not in (None, "")}


def changes_of(entity: str, old: Any, new: dict[str, Any]) -> list[Change]:
    """The changes a supplier is told of when the stored row `old` is updated to `new`."""
    if entity == "orders":
        return _order_changes(old, new)
    if entity == "invoices":
        return _invoice_changes(old, new)
    return []


def _order_changes(old: Any, new: dict[str, Any]) -> list[Change]:
    order, supplier, status = str(new["id"]), str(new["supplier_id"]), new["status"]
    if status != old.status and status in _ORDER_STATUS:
        facts = _facts(new, "carrier", "tracking_number", "eta", "delivered_at")
        return [Change(_ORDER_STATUS[status], order, supplier, status, facts)]
    eta = new.get("eta")
    if eta is not None and eta != old.eta and status not in _CLOSED:
        facts = {"eta": _text(eta), **({"old_eta": _text(old.eta)} if old.eta else {})}
        return [Change(ORDER_ETA, order, supplier, _text(eta), facts)]
    return []


def _invoice_changes(old: Any, new: dict[str, Any]) -> list[Change]:
    status = new["status"]
    if status == old.status or status not in _INVOICE_STATUS:
        return []
    facts = {
        **_facts(new, "order_id", "currency", "scheduled_date", "paid_at"),
        "amount": f"{new['amount']:,.2f}" if new.get("amount") is not None else "",
    }
    return [Change(_INVOICE_STATUS[status], str(new["id"]), str(new["supplier_id"]), status, facts)]

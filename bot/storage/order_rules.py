"""The rules of an order that every query shares: which statuses are open, when it is due, when late."""

from __future__ import annotations

from datetime import date

from bot.storage.tables import OrderRow

OPEN_ORDER_STATUSES = ("pending_confirmation", "confirmed", "shipped")


def due_date(order: OrderRow) -> date | None:
    """When an order should arrive: its ETA, else the date promised."""
    return order.eta or order.promised_date


def is_late(order: OrderRow, today: date) -> bool:
    """An open order past its due date: late now (the sales summary's list of late orders). The sales
    query's `late_orders` metric also counts orders delivered after it (docs/metrics.md)."""
    due = due_date(order)
    return order.status in OPEN_ORDER_STATUSES and due is not None and due < today

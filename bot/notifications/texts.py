"""What a supplier reads when something changed, in English and Chinese."""

from __future__ import annotations

from collections.abc import Mapping

from bot.notifications.changes import (
    INVOICE_PAID,
    INVOICE_SCHEDULED,
    ORDER_DELIVERED,
    ORDER_ETA,
    ORDER_SHIPPED,
)

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        ORDER_SHIPPED: "📦 Order {id} has shipped{via}{tracking}{eta}.",
        ORDER_DELIVERED: "✅ Order {id} was delivered{on}.",
        ORDER_ETA: "🗓 The ETA of order {id} moved{from_eta} to {eta}.",
        INVOICE_SCHEDULED: "💳 Invoice {id}{money} is scheduled for payment{on}.",
        INVOICE_PAID: "💰 Invoice {id}{money} was paid{on}.",
        "footer": "Send /notifications off to stop these updates.",
    },
    "zh": {
        ORDER_SHIPPED: "📦 订单 {id} 已发货{via}{tracking}{eta}。",
        ORDER_DELIVERED: "✅ 订单 {id} 已送达{on}。",
        ORDER_ETA: "🗓 订单 {id} 的预计到达日期{from_eta}改为 {eta}。",
        INVOICE_SCHEDULED: "💳 发票 {id}{money} 已安排付款{on}。",
        INVOICE_PAID: "💰 发票 {id}{money} 已付款{on}。",
        "footer": "发送“关闭通知”或 /notifications off 即可停止这些通知。",
    },
}

_PARTS = {
    "en": {
        "via": " via {carrier}",
        "tracking": ", tracking {tracking_number}",
        "eta": ", expected {eta}",
        "on": " on {date}",
        "from_eta": " from {old_eta}",
        "money": " ({currency} {amount})",
    },
    "zh": {
        "via": "，承运商 {carrier}",
        "tracking": "，运单号 {tracking_number}",
        "eta": "，预计 {eta} 到达",
        "on": "（{date}）",
        "from_eta": "由 {old_eta} ",
        "money": "（{currency} {amount}）",
    },
}

_DATE_OF = {ORDER_DELIVERED: "delivered_at", INVOICE_SCHEDULED: "scheduled_date", INVOICE_PAID: "paid_at"}


def notification_text(kind: str, entity_id: str, facts: Mapping[str, str], language: str) -> str:
    """The message of one change; a part whose fact is unknown (no carrier yet) is left out."""
    lang = language if language in _TEXTS else "en"
    parts = _PARTS[lang]
    values = {k: v for k, v in facts.items() if v}
    if date := values.get(_DATE_OF.get(kind, "")):
        values["date"] = date

    def part(name: str, *needs: str) -> str:
        return parts[name].format(**values) if all(n in values for n in needs) else ""

    body = _TEXTS[lang][kind].format(
        id=entity_id,
        via=part("via", "carrier"),
        tracking=part("tracking", "tracking_number"),
        eta=part("eta", "eta") if kind == ORDER_SHIPPED else values.get("eta", ""),
        on=part("on", "date"),
        from_eta=part("from_eta", "old_eta"),
        money=part("money", "currency", "amount"),
    )
    return f"{body}\n{_TEXTS[lang]['footer']}"

"""payment_status: an invoice's status, amount and paid/scheduled/due date; a PO's invoices; open invoices."""

from __future__ import annotations

from collections.abc import Sequence

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.common import fmt_date, fmt_money, money, status_label
from dialogue.backend import Invoice

TABLE_HEADER_EN = ("Invoice", "Amount", "Status", "Date")
TABLE_HEADER_ZH = ("发票", "金额", "状态", "日期")
MAX_INVOICES_PER_MESSAGE = 3


def make_payment_status(*, max_listed: int = 5) -> Action:
    async def payment_status(ctx: TurnContext) -> list[Reply]:
        supplier_id = ctx.supplier_id
        if supplier_id is None:
            return [Reply("link_required")]
        backend = ctx.services.backend
        invoice_ids = list(dict.fromkeys(str(e.value) for e in ctx.nlu.entities_of("invoice_id")))
        if invoice_ids:
            replies = []
            for invoice_id in invoice_ids[:MAX_INVOICES_PER_MESSAGE]:
                invoice = await backend.get_invoice(supplier_id, invoice_id)
                replies.append(
                    describe_invoice(invoice)
                    if invoice
                    else Reply("invoice_not_found", {"invoice_id": invoice_id})
                )
            return replies
        order = ctx.nlu.entity("order_id")
        if order is not None:
            order_id = str(order.value)
            if await backend.get_order(supplier_id, order_id) is None:
                return [Reply("order_not_found", {"order_id": order_id})]
            invoices = _recent_first(await backend.invoices_for_order(supplier_id, order_id))
            if len(invoices) == 1:
                return [describe_invoice(invoices[0])]
            if not invoices:
                return [Reply("invoice_none_open")]
            return [invoice_list(ctx, invoices[:max_listed], order_id=order_id)]
        invoices = _recent_first(await backend.open_invoices(supplier_id, max_listed))[:max_listed]
        if not invoices:
            return [Reply("invoice_none_open")]
        return [invoice_list(ctx, invoices)]

    return payment_status


def describe_invoice(invoice: Invoice) -> Reply:
    amount = money(invoice.amount, invoice.currency)
    base: dict[str, object] = {"invoice_id": invoice.id, "amount": amount}
    if invoice.status == "paid":
        return Reply("invoice_paid", {**base, "paid_date": invoice.paid_at or invoice.due_date})
    if invoice.status == "scheduled" and invoice.scheduled_date:
        return Reply("invoice_scheduled", {**base, "scheduled_date": invoice.scheduled_date})
    if invoice.status == "overdue":
        return Reply("invoice_overdue", {**base, "due_date": invoice.due_date})
    return Reply("invoice_open", {**base, "due_date": invoice.due_date})


def invoice_list(ctx: TurnContext, invoices: Sequence[Invoice], *, order_id: str | None = None) -> Reply:
    """The invoices as a table (the text only counts them): id, amount, status and the date that matters."""
    lang = ctx.language
    rows: list[tuple[str, ...]] = [TABLE_HEADER_ZH if lang == "zh" else TABLE_HEADER_EN]
    for inv in invoices:
        amount = fmt_money(inv.amount, inv.currency)
        rows.append((inv.id, amount, status_label(inv.status, lang), _when(inv, lang)))
    facts: dict[str, object] = {"count": len(invoices)}
    if order_id:
        facts["order_id"] = order_id
    return Reply("invoice_list", facts, table=tuple(rows))


def _when(inv: Invoice, language: str) -> str:
    """The date that matters for the invoice's status: paid on, scheduled for, or due on."""
    zh = language == "zh"
    if inv.status == "paid":
        return f"{'付款日' if zh else 'paid'} {fmt_date(inv.paid_at)}"
    if inv.status == "scheduled" and inv.scheduled_date:
        return f"{'计划付款' if zh else 'scheduled'} {fmt_date(inv.scheduled_date)}"
    return f"{'到期' if zh else 'due'} {fmt_date(inv.due_date)}"


def _recent_first(invoices: Sequence[Invoice]) -> list[Invoice]:
    return sorted(invoices, key=lambda i: (i.issued_at, i.id), reverse=True)

"""The escalation card that agents see on a desk (the Slack support channel), platform-neutral."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dialogue.handoff.model import Escalation, Priority, ReasonCode, Status
from dialogue.messages import Button, Card

BUTTON_PREFIX = "handoff:"
SUGGEST = "suggest"  # the card's "Suggest a reply" action (llm.uses assist)
SUGGEST_LABEL = "Suggest a reply"
BANK_DETAILS_WARNING = (
    "⚠ Bank details: call back on the registered number before any change (the registered contact is in "
    "the reason; never a number from this chat). Resolving needs a note of what the call-back found."
)
SUMMARY_LINE_CHARS = 300
SUMMARY_TITLE = "Summary (drafted by the model, checked against the conversation):"

_ACTIONS: dict[Status, tuple[tuple[str, str, str], ...]] = {
    Status.PENDING: (("Claim", "claim", "primary"),),
    Status.ASSIGNED: (
        ("Unassign", "unassign", ""),
        ("Resolve", "resolve", "primary"),
        ("Return to bot", "return", ""),
    ),
}


def button_value(action: str, escalation_id: int) -> str:
    return f"{BUTTON_PREFIX}{action}:{escalation_id}"


def parse_button(value: str) -> tuple[str, int, str] | None:
    """("claim", 42, "") for "handoff:claim:42", ("transfer", 42, "U7") for a picked person; else None."""
    if not value.startswith(BUTTON_PREFIX):
        return None
    action, _, rest = value[len(BUTTON_PREFIX) :].partition(":")
    raw_id, _, picked = rest.partition(":")
    return (action, int(raw_id), picked) if raw_id.isdigit() else None


def _hm(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "-"


def status_line(esc: Escalation) -> str:
    holder = esc.assignee.display if esc.assignee else ""
    if esc.status == Status.PENDING:
        return f"waiting for an agent: claim by {_hm(esc.claim_due_at)}"
    if esc.status == Status.ASSIGNED:
        return f"held by {holder} since {_hm(esc.assigned_at)}; resolve by {_hm(esc.resolve_due_at)}"
    if esc.status == Status.RESOLVED:
        return f"resolved by {holder} at {_hm(esc.resolved_at)}"
    if esc.status == Status.RETURNED:
        return f"returned to the bot by {holder or 'an agent'} at {_hm(esc.updated_at)}"
    if esc.status == Status.WITHDRAWN:
        return f"withdrawn by the supplier at {_hm(esc.updated_at)}"
    return f"closed at {_hm(esc.closed_at)}"


def escalation_card(
    esc: Escalation,
    *,
    records: Sequence[str] = (),
    notes: Sequence[str] = (),
    summary: Sequence[str] = (),
) -> Card:
    """The card: who, why, how urgent, what was said, which orders and invoices, and the deadline.

    `records` are "PO-1001: shipped ..." lines with the current status of the related orders and invoices;
    `notes` are extra lines such as "asked again: ..."; `summary` the model's three checked lines (assist).
    """
    supplier = f"{esc.supplier_name} ({esc.supplier_id})" if esc.supplier_id else "not linked to a supplier"
    fields: list[tuple[str, str]] = [
        ("Supplier", supplier),
        ("On " + esc.conversation_key.split(":", 1)[0].capitalize(), esc.user_name or "-"),
        ("Language", "Chinese" if esc.language == "zh" else "English"),
        ("Priority", "HIGH" if esc.priority == Priority.HIGH else "normal"),
        ("Status", status_line(esc)),
    ]
    if esc.csat_rating is not None:
        comment = f" ({esc.csat_comment})" if esc.csat_comment else ""
        fields.append(("Rating", f"{esc.csat_rating}/5{comment}"))
    sections = ["Reasons:\n" + "\n".join(f"• {reason.describe()}" for reason in esc.reasons)]
    if summary:
        sections.insert(0, SUMMARY_TITLE + "\n" + "\n".join(f"• {line}" for line in summary))
    if any(reason.code == ReasonCode.RISK_BANK_DETAILS for reason in esc.reasons):
        sections.append(BANK_DETAILS_WARNING)
    if records:
        sections.append("Orders and invoices:\n" + "\n".join(f"• {line}" for line in records))
    if esc.summary:
        lines = [f"{line.who}: {line.text[:SUMMARY_LINE_CHARS]}" for line in esc.summary]
        sections.append("Last turns:\n" + "\n".join(lines))
    if notes:
        sections.append("\n".join(notes))
    marker = ("[SLA BREACHED] " if esc.breached_at else "") + (
        "[HIGH] " if esc.priority == Priority.HIGH else ""
    )
    title = f"{marker}Escalation #{esc.id}: {esc.supplier_name or esc.user_name or esc.conversation_key}"
    context = (f"{esc.conversation_key} · opened {_hm(esc.created_at)} · claim by {_hm(esc.claim_due_at)}",)
    return Card(title=title, fields=tuple(fields), sections=tuple(sections), context=context)


def card_buttons(esc: Escalation, *, suggest: bool = False) -> tuple[Button, ...]:
    """Claim while pending; once held, Unassign, Resolve, Return to bot, and a picker to transfer it.

    `suggest` (llm.uses assist) adds "Suggest a reply" while it is open: a draft only the clicker sees.
    """
    buttons = [
        Button(label, button_value(action, esc.id), style)
        for label, action, style in _ACTIONS.get(esc.status, ())
    ]
    if esc.status == Status.ASSIGNED:
        buttons.append(Button("Transfer to…", button_value("transfer", esc.id), picks_user=True))
    if suggest and esc.is_open:
        buttons.append(Button(SUGGEST_LABEL, button_value(SUGGEST, esc.id)))
    return tuple(buttons)

"""Helpers shared by the domain actions: answers to forms, labels per language, small formatters."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from dialogue.actions.base import Reply, TurnContext
from dialogue.language import forget_form_language, remember_form_language
from dialogue.messages import Button
from dialogue.money import Amounts
from dialogue.nlg.lexicalize import format_money
from dialogue.yesno import CONFIRM_NO, CONFIRM_YES, classify_answer, pressed_answer
from nlu.types import Money

_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "pending_confirmation": ("pending confirmation", "待确认"),
    "confirmed": ("confirmed", "已确认"),
    "shipped": ("shipped", "已发货"),
    "delivered": ("delivered", "已送达"),
    "cancelled": ("cancelled", "已取消"),
    "open": ("open", "未付款"),
    "scheduled": ("payment scheduled", "已安排付款"),
    "paid": ("paid", "已付款"),
    "overdue": ("overdue", "已逾期"),
}

_BARE_NUMBER = re.compile(r"^\s*(?:#|no\.?\s*)?(\d{3,10})\s*[.!。！]?\s*$", re.I)


def status_label(status: str, language: str) -> str:
    en, zh_ = _STATUS_LABELS.get(status, (status.replace("_", " "), status.replace("_", " ")))
    return zh_ if language == "zh" else en


def yes_no_buttons(language: str) -> tuple[Button, Button]:
    if language == "zh":
        return (Button("是", CONFIRM_YES, "primary"), Button("否", CONFIRM_NO))
    return (Button("Yes", CONFIRM_YES, "primary"), Button("No", CONFIRM_NO))


def answer_of(ctx: TurnContext) -> str | None:
    """'yes' | 'no' | 'cancel' from a button or a short typed answer; None for anything else."""
    return pressed_answer(ctx.message.callback_data) or classify_answer(ctx.message.text)


def open_form(ctx: TurnContext, name: str) -> None:
    """Make `name` the active form and remember the language it was asked in."""
    ctx.session.active_form = name
    remember_form_language(ctx.session)


def close_form(ctx: TurnContext, *slot_names: str) -> None:
    ctx.session.active_form = None
    for name in slot_names:
        ctx.session.slots.pop(name, None)
    forget_form_language(ctx.session)


def close_form_if(ctx: TurnContext, name: str, *slot_names: str) -> None:
    """Close form `name` if it is the active one; another pending form stays resumable."""
    if ctx.session.active_form == name:
        close_form(ctx, *slot_names)


def bare_number(text: str) -> int | None:
    m = _BARE_NUMBER.match(text)
    return int(m.group(1)) if m else None


def is_bare_answer(ctx: TurnContext, max_extra_words: int = 2) -> bool:
    """The message is little more than its entities ("PO-1001", "AB-1020 450", "it's 1001")."""
    text = ctx.message.text
    for entity in sorted(ctx.nlu.entities, key=lambda e: e.start, reverse=True):
        text = text[: entity.start] + " " + text[entity.end :]
    words = re.findall(r"[A-Za-z]+|[\u3400-\u9fff]{1,2}", text)
    return len(words) <= max_extra_words


def cancel_reply(ctx: TurnContext) -> list[Reply]:
    return [Reply("cancelled", action="cancel")]


def money(amount: Decimal, currency: str) -> Money:
    return Money(amount, currency)


def amounts_fact(amounts: Amounts, language: str) -> object:
    """A sum as a reply fact: a Money for one currency; for several, one figure per currency in the
    reply's money form ("$1,200.00 + EUR 300.00", "1,200.00 美元 + 300.00 欧元"), never added together;
    0 for none (the renderer shows it in the configured currency)."""
    if not amounts.items:
        return Decimal(0)
    if len(amounts.items) == 1:
        return Money(amounts.items[0][1], amounts.items[0][0])
    return " + ".join(format_money(amount, currency, language) for currency, amount in amounts.items)


def fmt_money(amount: Decimal, currency: str) -> str:
    """Money inside a pre-formatted block (the renderer formats plain facts itself)."""
    return f"{currency} {amount:,.2f}"


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else "-"


def fmt_percent(share: float) -> str:
    """0.953 -> '95%' (a share of one, as confidences are)."""
    return f"{round(100 * share):.0f}%"

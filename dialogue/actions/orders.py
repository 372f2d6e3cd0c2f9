"""order_status: status, carrier, tracking number and ETA of the linked supplier's purchase orders.

Form "order_status" (active while the bot waits for an order id):
- slot "offered_order" set: the bot offered the supplier's only open order; "yes" answers it,
  "no" asks for the id instead.
- an order id (entity, or a bare number such as "1001") answers the form.
- "cancel" closes the form; anything else returns [] so the manager handles the new topic, and the
  form stays active: a later bare id still answers it (resumable).
"""

from __future__ import annotations

from dialogue.actions.base import Reply, TurnContext
from dialogue.actions.common import (
    answer_of,
    bare_number,
    cancel_reply,
    close_form,
    close_form_if,
    is_bare_answer,
    open_form,
    status_label,
    yes_no_buttons,
)
from dialogue.backend import Order
from dialogue.language import keep_form_language

FORM = "order_status"
OFFERED = "offered_order"
MAX_ORDERS_PER_MESSAGE = 3


async def order_status(ctx: TurnContext) -> list[Reply]:
    supplier_id = ctx.supplier_id
    if supplier_id is None:
        return [Reply("link_required")]
    order_ids = _order_ids(ctx)
    if order_ids:
        close_form_if(ctx, FORM, OFFERED)
        return [await answer_order(ctx, supplier_id, oid) for oid in order_ids[:MAX_ORDERS_PER_MESSAGE]]
    open_orders = list(await ctx.services.backend.open_orders(supplier_id))
    open_form(ctx, FORM)
    if len(open_orders) == 1:
        order = open_orders[0]
        ctx.session.slots[OFFERED] = order.id
        return [
            Reply(
                "order_offer_open",
                {"order_id": order.id, "status": status_label(order.status, ctx.language)},
                buttons=yes_no_buttons(ctx.language),
            )
        ]
    ctx.session.slots.pop(OFFERED, None)
    return [Reply("order_ask_id")]


async def order_status_form(ctx: TurnContext) -> list[Reply]:
    supplier_id = ctx.supplier_id
    if supplier_id is None:
        close_form(ctx, OFFERED)
        return []
    answer = answer_of(ctx)
    offered = ctx.session.slots.get(OFFERED)
    if answer == "cancel":
        keep_form_language(ctx.message, ctx.session)
        close_form(ctx, OFFERED)
        return cancel_reply(ctx)
    if isinstance(offered, str) and answer in ("yes", "no"):
        keep_form_language(ctx.message, ctx.session)
        if answer == "yes":
            close_form(ctx, OFFERED)
            return [await answer_order(ctx, supplier_id, offered, action="order_status")]
        ctx.session.slots.pop(OFFERED, None)
        return [Reply("order_ask_id", action="order_status")]
    order_ids = _order_ids(ctx)
    takes_entity = bool(order_ids) and (ctx.nlu.intent == "order_status" or is_bare_answer(ctx))
    if not takes_entity:
        number = bare_number(ctx.message.text)
        order_ids = [f"PO-{number}"] if number is not None else []
    if not order_ids:
        return []  # not an answer: the manager handles the message, the form stays resumable
    keep_form_language(ctx.message, ctx.session)
    close_form(ctx, OFFERED)
    return [
        await answer_order(ctx, supplier_id, oid, action="order_status")
        for oid in order_ids[:MAX_ORDERS_PER_MESSAGE]
    ]


async def answer_order(ctx: TurnContext, supplier_id: str, order_id: str, *, action: str = "") -> Reply:
    order = await ctx.services.backend.get_order(supplier_id, order_id)
    if order is None:  # another supplier's order gives exactly this answer too
        return Reply("order_not_found", {"order_id": order_id}, action=action)
    return describe_order(order, ctx.language, action=action)


def describe_order(order: Order, language: str, *, action: str = "") -> Reply:
    if order.status == "shipped" and order.carrier and order.tracking_number and order.eta:
        facts: dict[str, object] = {
            "order_id": order.id,
            "carrier": order.carrier,
            "tracking_number": order.tracking_number,
            "eta": order.eta,
        }
        return Reply("order_shipped", facts, action=action)
    if order.status == "delivered":
        delivered = order.delivered_at or order.eta
        if delivered is not None:
            facts = {"order_id": order.id, "delivered_date": delivered}
            if order.carrier:
                facts["carrier"] = order.carrier
            return Reply("order_delivered", facts, action=action)
    if order.status == "cancelled":
        return Reply("order_cancelled", {"order_id": order.id}, action=action)
    facts = {"order_id": order.id, "status": status_label(order.status, language)}
    eta = order.eta or order.promised_date
    if eta is not None:
        facts["eta"] = eta
    return Reply("order_pending", facts, action=action)


def _order_ids(ctx: TurnContext) -> list[str]:
    seen: list[str] = []
    for entity in ctx.nlu.entities_of("order_id"):
        value = str(entity.value)
        if value not in seen:
            seen.append(value)
    return seen

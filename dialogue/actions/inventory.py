"""inventory_query and inventory_update (which confirms before it writes).

Form "inventory_update", slots "stock_sku" / "stock_qty" / "stock_old_qty":
- both known: the bot asked "Set SKU to N units?"; "yes" writes through backend.set_stock, "no" or
  "cancel" drops the change; a new SKU/quantity ("make it 500") replaces the pending value and asks again.
- one missing: the next message that carries a SKU and/or a quantity (or a bare number) fills it.
- anything else returns [] and the pending update stays in the session: after answering the other
  topic, a later "yes" still confirms it (until another form replaces it or the session expires).
A SKU the supplier does not own is refused (sku_not_found) before any question.
"""

from __future__ import annotations

import re

from dialogue.actions.base import Reply, TurnContext
from dialogue.actions.common import (
    answer_of,
    close_form,
    close_form_if,
    is_bare_answer,
    open_form,
    yes_no_buttons,
)
from dialogue.language import keep_form_language

FORM = "inventory_update"
SKU, QTY, OLD_QTY = "stock_sku", "stock_qty", "stock_old_qty"
_SLOTS = (SKU, QTY, OLD_QTY)
TABLE_HEADER_EN = ("SKU", "Product", "Stock")
TABLE_HEADER_ZH = ("SKU", "商品", "库存")
_BARE_QTY = re.compile(
    r"^\s*(\d{1,3}(?:,\d{3})+|\d{1,7})\s*(?:units?|pcs|pieces|件|个)?\s*[.!。！]?\s*$", re.I
)


async def inventory_query(ctx: TurnContext) -> list[Reply]:
    supplier_id = ctx.supplier_id
    if supplier_id is None:
        return [Reply("link_required")]
    backend = ctx.services.backend
    skus = list(dict.fromkeys(str(e.value) for e in ctx.nlu.entities_of("sku")))
    if skus:
        replies = []
        for sku in skus[:5]:
            item = await backend.get_stock(supplier_id, sku)
            if item is None:
                replies.append(Reply("sku_not_found", {"sku": sku}))
            elif item.quantity <= 0:
                replies.append(Reply("stock_out", {"sku": item.sku}))
            else:
                replies.append(Reply("stock_level", {"sku": item.sku, "qty": item.quantity}))
        return replies
    items = sorted(await backend.list_stock(supplier_id), key=lambda i: i.sku)
    if not items:
        return [Reply("stock_ask_sku")]
    zh = ctx.language == "zh"
    out = "缺货" if zh else "out of stock"
    rows: list[tuple[str, ...]] = [TABLE_HEADER_ZH if zh else TABLE_HEADER_EN]
    names = {i.sku: i.name for i in items}
    if zh:  # the products' Chinese names, where the data has them
        for item in items:
            product = await backend.get_product(item.sku)
            names[item.sku] = product.display_name("zh") if product else item.name
    rows.extend((i.sku, names[i.sku], f"{i.quantity:,}" if i.quantity > 0 else out) for i in items)
    return [Reply("stock_table", table=tuple(rows))]  # the rows are the table; the text introduces them


async def inventory_update(ctx: TurnContext) -> list[Reply]:
    if ctx.supplier_id is None:
        return [Reply("link_required")]
    for name in _SLOTS:
        ctx.session.slots.pop(name, None)
    sku, qty = _sku_and_qty(ctx, bare_is_qty=False)
    if sku is not None:
        ctx.session.slots[SKU] = sku
    if qty is not None:
        ctx.session.slots[QTY] = qty
    return await _next_step(ctx, ctx.supplier_id)


async def inventory_update_form(ctx: TurnContext) -> list[Reply]:
    supplier_id = ctx.supplier_id
    slots = ctx.session.slots
    if supplier_id is None:
        close_form(ctx, *_SLOTS)
        return []
    sku, qty = slots.get(SKU), slots.get(QTY)
    answer = answer_of(ctx)
    if answer == "cancel" or (answer == "no" and sku is not None and qty is not None):
        keep_form_language(ctx.message, ctx.session)
        close_form(ctx, *_SLOTS)
        if isinstance(sku, str):
            return [Reply("stock_update_cancelled", {"sku": sku}, action=FORM)]
        return [Reply("cancelled", action=FORM)]
    if answer == "yes" and isinstance(sku, str) and isinstance(qty, int):
        keep_form_language(ctx.message, ctx.session)
        close_form(ctx, *_SLOTS)
        change = await ctx.services.backend.set_stock(
            supplier_id, sku, qty, changed_by=ctx.actor, request_id=ctx.request_id
        )
        if change is None:
            return [Reply("sku_not_found", {"sku": sku}, action=FORM)]
        facts = {"sku": change.sku, "qty": change.new_quantity, "old_qty": change.old_quantity}
        return [Reply("stock_updated", facts, action=FORM)]
    new_sku, new_qty = _sku_and_qty(ctx, bare_is_qty=True)
    relevant = ctx.nlu.intent == "inventory_update" or is_bare_answer(ctx, max_extra_words=4)
    if (new_sku is None and new_qty is None) or not relevant:
        return []  # not an answer; the pending update stays resumable
    keep_form_language(ctx.message, ctx.session)
    if new_sku is not None:
        slots[SKU] = new_sku
    if new_qty is not None:
        slots[QTY] = new_qty
    return [
        r if r.action else Reply(r.outcome, r.facts, r.buttons, r.table, FORM)
        for r in await _next_step(ctx, supplier_id)
    ]


async def _next_step(ctx: TurnContext, supplier_id: str) -> list[Reply]:
    slots = ctx.session.slots
    sku, qty = slots.get(SKU), slots.get(QTY)
    if isinstance(sku, str):
        item = await ctx.services.backend.get_stock(supplier_id, sku)
        if item is None:
            close_form_if(ctx, FORM)
            for name in _SLOTS:
                slots.pop(name, None)
            return [Reply("sku_not_found", {"sku": sku})]
        slots[OLD_QTY] = item.quantity
    if not isinstance(sku, str) or not isinstance(qty, int):
        open_form(ctx, FORM)
        return [Reply("stock_ask_sku_qty")]
    open_form(ctx, FORM)
    facts: dict[str, object] = {"sku": sku, "qty": qty}
    if isinstance(slots.get(OLD_QTY), int):
        facts["old_qty"] = slots[OLD_QTY]
    return [Reply("stock_confirm_update", facts, buttons=yes_no_buttons(ctx.language))]


def _sku_and_qty(ctx: TurnContext, *, bare_is_qty: bool) -> tuple[str | None, int | None]:
    sku_entity = ctx.nlu.entity("sku")
    qty_entity = ctx.nlu.entity("quantity")
    sku = str(sku_entity.value) if sku_entity is not None else None
    qty: int | None = None
    if qty_entity is not None and isinstance(qty_entity.value, int) and qty_entity.value >= 0:
        qty = qty_entity.value
    elif bare_is_qty and sku is None:
        m = _BARE_QTY.match(ctx.message.text)
        qty = int(m.group(1).replace(",", "")) if m else None
    return sku, qty

"""product_description: a draft description from a SKU's attributes or the attributes in the message.

Form "product_description": the next message gives a SKU or the product's attributes.
"""

from __future__ import annotations

from dialogue.actions.base import Reply, TurnContext
from dialogue.actions.common import (
    answer_of,
    cancel_reply,
    close_form,
    close_form_if,
    is_bare_answer,
    open_form,
)
from dialogue.backend import Product
from dialogue.language import keep_form_language
from nlu.attributes import attributes_from_text

PRODUCT_FORM = "product_description"
OTHER_TOPIC_CONFIDENCE = 0.6


def product_attributes(product: Product) -> dict[str, str]:
    attrs = {"name": product.name}
    for key, value in (
        ("category", product.category),
        ("material", product.material),
        ("size", product.size),
        ("features", product.features),
    ):
        if value:
            attrs[key] = value
    return attrs


async def _describe(ctx: TurnContext, *, in_form: bool) -> list[Reply]:
    sku_entity = ctx.nlu.entity("sku")
    action = PRODUCT_FORM
    if sku_entity is not None:
        sku = str(sku_entity.value)
        product = await ctx.services.backend.get_product(sku)
        close_form_if(ctx, PRODUCT_FORM)
        if product is None:
            return [Reply("product_not_found", {"sku": sku}, action=action)]
        attrs = product_attributes(product)
        return [Reply("product_description", attrs, action=action, product_attributes=attrs)]
    attrs = attributes_from_text(ctx.message.text)
    if "name" in attrs:
        close_form_if(ctx, PRODUCT_FORM)
        return [Reply("product_description", attrs, action=action, product_attributes=attrs)]
    if in_form:
        return []
    open_form(ctx, PRODUCT_FORM)
    return [Reply("product_ask", action=action)]


async def product_description(ctx: TurnContext) -> list[Reply]:
    return await _describe(ctx, in_form=False)


async def product_description_form(ctx: TurnContext) -> list[Reply]:
    if answer_of(ctx) == "cancel":
        keep_form_language(ctx.message, ctx.session)
        close_form(ctx)
        return cancel_reply(ctx)
    other_topic = (
        ctx.nlu.intent not in ("product_description", "out_of_scope")
        and ctx.nlu.confidence >= OTHER_TOPIC_CONFIDENCE
    )
    if other_topic and not is_bare_answer(ctx, 1):
        return []  # a different request: the manager handles it, the form stays resumable
    return await _describe(ctx, in_form=True)

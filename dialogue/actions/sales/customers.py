"""The customer a sales message names (matched against the Backend), and asking for one."""

from __future__ import annotations

from dialogue.actions.base import Reply, TurnContext
from dialogue.actions.common import open_form
from dialogue.backend import Customer
from nlu.names import is_name_of, looks_like_name, name_candidates

CUSTOMER_FORM = "customer_name"
CUSTOMER_FOR = "customer_for"  # slot: the intent that asked for the customer's name


async def find_customer_in(ctx: TurnContext, *, whole_text: bool = False) -> tuple[Customer | None, str]:
    """The customer the message names (NLU entity, then names in the text), and a guess of the name.

    `whole_text`: the whole message may be the name (an answer to "which customer?").
    """
    backend = ctx.services.backend
    entity = ctx.nlu.entity("customer")
    if entity is not None:
        customer = await backend.find_customer(str(entity.value))
        if customer is not None:
            return customer, customer.name
    candidates = name_candidates(ctx.message.text)
    if whole_text and ctx.message.text.strip():
        candidates.insert(0, ctx.message.text.strip().strip(".?!。？！"))
    for candidate in candidates:
        customer = await backend.find_customer(candidate)
        if customer is not None and (
            is_name_of(candidate, customer.name, id_=customer.id) or candidate == customer.id
        ):
            return customer, customer.name
    guess = next((c for c in candidates if looks_like_name(c)), "")
    return None, guess


def ask_customer(ctx: TurnContext, intent: str) -> list[Reply]:
    """Open the customer-name form on behalf of `intent`."""
    open_form(ctx, CUSTOMER_FORM)
    ctx.session.slots[CUSTOMER_FOR] = intent
    return [Reply("customer_ask_name")]

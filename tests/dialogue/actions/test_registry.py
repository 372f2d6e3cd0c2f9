"""The default action table."""

from __future__ import annotations

from dialogue.actions.registry import default_actions
from nlu.types import INTENTS


def test_every_intent_and_form_is_registered() -> None:
    table = default_actions(embedder=None)
    assert set(INTENTS) <= set(table.intents)
    assert {"out_of_scope", "link_account"} <= set(table.intents)
    assert set(table.forms) == {"offer_human", "order_status", "inventory_update", "customer_name",
                                "product_description", "demand_forecast"}  # fmt: skip

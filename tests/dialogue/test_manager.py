"""Manager policy details that do not depend on an action: tie-breaking with entities."""

from __future__ import annotations

from dialogue.understanding import break_tie_with_entities
from nlu.types import Entity, NluResult


def _nlu(entities: tuple[Entity, ...]) -> NluResult:
    return NluResult(
        text="stock AB-1020",
        intent="inventory_query",
        confidence=0.55,
        ranking=(("inventory_query", 0.55), ("inventory_update", 0.44), ("greeting", 0.01)),
        entities=entities,
        language="en",
        sentiment="neutral",
        ambiguous=True,
    )


def test_no_quantity_means_a_stock_question() -> None:
    result = break_tie_with_entities(_nlu((Entity("sku", "AB-1020", 6, 13, "AB-1020"),)))
    assert result.intent == "inventory_query" and not result.ambiguous


def test_a_quantity_means_a_stock_update() -> None:
    qty = Entity("quantity", "450 units", 17, 26, 450, unit="units")
    result = break_tie_with_entities(_nlu((Entity("sku", "AB-1020", 6, 13, "AB-1020"), qty)))
    assert result.intent == "inventory_update" and not result.ambiguous


def test_other_ambiguities_are_left_for_the_user() -> None:
    nlu = _nlu(())
    other = NluResult(
        **{**{f: getattr(nlu, f) for f in nlu.__slots__}, "ranking": (("greeting", 0.5), ("thanks", 0.45))}
    )
    assert break_tie_with_entities(other) is other

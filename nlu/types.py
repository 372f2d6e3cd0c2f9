"""Contract between the NLU package and its users (the dialogue manager, the CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

INTENTS: tuple[str, ...] = (
    "order_status",
    "payment_status",
    "inventory_update",
    "inventory_query",
    "onboarding",
    "policy_question",
    "complaint",
    "human_handoff",
    "greeting",
    "goodbye",
    "thanks",
    "help",
    "customer_lookup",
    "product_description",
    "customer_industry",
    "sales_summary",
    "recommend_products",
    "market_trends",
    "demand_forecast",
)
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class Entity:
    """One extracted entity.

    type: order_id | invoice_id | sku | quantity | money | date | customer | supplier
    value: the normalized value: "PO-1001", "INV-2001", "AB-1020", int for quantity,
           Money for money, datetime.date for date, the canonical id for customer/supplier.
    """

    type: str
    text: str
    start: int
    end: int
    value: object
    unit: str = ""
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class NluResult:
    text: str
    intent: str  # one of INTENTS or OUT_OF_SCOPE
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    entities: tuple[Entity, ...]
    language: str  # "en" | "zh"
    sentiment: str  # "negative" | "neutral" | "positive"
    sentiment_score: float = 0.0
    ambiguous: bool = False

    @property
    def out_of_scope(self) -> bool:
        return self.intent == OUT_OF_SCOPE

    def entity(self, type_: str) -> Entity | None:
        return next((e for e in self.entities if e.type == type_), None)

    def entities_of(self, type_: str) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.type == type_)


@dataclass(frozen=True, slots=True)
class KnownName:
    """A customer or supplier the backend knows, for fuzzy name matching."""

    kind: str  # "customer" | "supplier"
    id: str
    name: str
    aliases: tuple[str, ...] = ()


class NameLookup(Protocol):
    """Injected by the composition root; gives the names to fuzzy-match against."""

    def known_names(self) -> Sequence[KnownName]: ...


class Parser(Protocol):
    """What the dialogue manager needs from the NLU."""

    async def parse(self, text: str) -> NluResult: ...

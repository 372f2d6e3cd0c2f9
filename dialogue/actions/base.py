"""What an action receives and returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from dialogue.analytics.charts import Chart
from dialogue.backend import Accounts, Backend
from dialogue.handoff.service import HandoffService
from dialogue.llm.gate import ModelGate
from dialogue.messages import Button, ChannelKind, IncomingMessage
from dialogue.routing import KnowledgeRouting
from dialogue.session import Session
from nlu.types import NluResult

SALES_INTENTS = frozenset(
    {
        "customer_lookup",
        "sales_summary",
        "customer_industry",
        "recommend_products",
        "market_trends",
        "sales_query",
    }
)
SUPPLIER_DATA_INTENTS = frozenset({"order_status", "payment_status", "inventory_update", "inventory_query"})


@dataclass(frozen=True, slots=True)
class Reply:
    """An action's outcome and the facts it is grounded on; the renderer turns it into text."""

    outcome: str
    facts: Mapping[str, object] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()
    action: str = ""
    product_attributes: Mapping[str, str] | None = None  # set for product descriptions
    image: Chart | None = None  # a generated chart to send with the text (the text stands without it)
    kind: str = "reply"  # "handoff": a handoff notice, the one kind the supplier gets while a person has it


@dataclass(frozen=True, slots=True)
class Services:
    backend: Backend
    accounts: Accounts
    handoff: HandoffService
    llm: ModelGate | None = None  # the optional language model (llm: in config.yaml); None when off


@dataclass(frozen=True, slots=True)
class TurnContext:
    message: IncomingMessage
    session: Session
    nlu: NluResult
    now: datetime
    services: Services
    sales_allowed: bool

    @property
    def language(self) -> str:
        return self.session.language

    @property
    def supplier_id(self) -> str | None:
        return self.session.supplier_id

    @property
    def request_id(self) -> str:
        """Stable per incoming message, so writes are idempotent when a message is reprocessed."""
        return f"{self.message.platform.value}:{self.message.external_id}"

    @property
    def actor(self) -> str:
        return f"{self.message.platform.value}:{self.message.sender.id}"

    @property
    def channel_kind(self) -> ChannelKind:
        return self.message.channel_kind


Action = Callable[[TurnContext], Awaitable[list[Reply]]]


@dataclass(frozen=True, slots=True)
class ActionTable:
    """Intent -> action, and form name -> continuation (returns [] when the message is not an answer)."""

    intents: Mapping[str, Action] = field(default_factory=dict)
    forms: Mapping[str, Action] = field(default_factory=dict)
    # Work done once, before it is first needed: indexes of fixed texts, encoded at start-up rather
    # than while the first supplier who asks waits.
    warm_ups: tuple[Callable[[], Awaitable[object]], ...] = ()
    # Work on the store's data done once at start-up, before the process says it is ready (the charts
    # of the usual trend questions): given the backend and today's date.
    data_warm_ups: tuple[Callable[[Backend, date], Awaitable[object]], ...] = ()
    # The knowledge base consulted beside the intent on every turn (dialogue.routing); None: intents only.
    knowledge: KnowledgeRouting | None = None

"""Knowledge routing: whether a message is answered from the knowledge base, offered two of its entries,
asked to choose between its intent and an entry, or handled by its intent.

The decision reads the intent head's result beside the best knowledge-base matches (their scores are
cosine blends, see dialogue.actions.knowledge). Thresholds are tuned on the tuning split of
bench/data/knowledge_heldout.csv; docs/knowledge.md has the figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from dialogue.faq import FaqEntry, FaqHit, KnowledgeBase
from nlu.types import OUT_OF_SCOPE, NluResult

# Intents whose answer is the knowledge base itself.
KNOWLEDGE_INTENTS = frozenset({"onboarding", "policy_question"})
# Entities that name one record: a message that names one is about it, not about the rules.
RECORD_ENTITIES = frozenset({"order_id", "invoice_id", "sku"})
_RECORD = r"(?:orders?|invoices?|payments?|shipments?|pos?|stock|deliver(?:y|ies))"
_ZH_RECORD = r"(?:订单|发票|货款|付款|款|库存|货)"
# "my invoices", "our last order", "我的发票": the user's own records, named without an id. A question
# worded around them still asks a rule when one entry answers it clearly (see `route`).
OWN_RECORDS = re.compile(
    rf"\b(?:my|our)\s+(?:\w+\s+){{0,2}}?{_RECORD}\b"
    # records pointed at ("those invoices", "that PO") or told by what the user did with them
    # ("the invoices we submitted last week", "我们上周提交的发票", "那几张发票")
    rf"|\b(?:that|those|these)\s+(?:\w+\s+)?{_RECORD}\b"
    rf"|\b{_RECORD}\s+(?:that\s+|which\s+)?(?:i|we)\s+(?:just\s+|already\s+)?"
    r"(?:submitted|sent|uploaded|issued|raised)\b"
    rf"|我(?:们)?的{_ZH_RECORD}|我(?:们)?[^，。？！,?!]{{0,6}}?(?:提交|开|上传)的(?:发票|订单|款)"
    r"|[那这](?:几|一)?[张笔](?:发票|订单|货款|款)",
    re.IGNORECASE,
)
# A yes/no question about the state of one record the user has in mind, named without an id: "is the
# invoice paid?", "has the shipment arrived?", "did you receive the goods?", "发票付了吗？", "货收到了吗".
# It asks about that record (its intent looks it up, or asks which), though its words are the rules'
# words ("paid", "received"); a condition makes it a rule again: "is the invoice paid if the PO is missing?".
_STATE = (
    r"(?:paid|sent|shipped|received|arrived|delivered|confirmed|approved|accepted|rejected|processed"
    r"|cleared|settled|dispatched|booked|released|transferred)"
)
STATUS_QUESTION = re.compile(
    rf"\b(?:is|are|was|were|has|have|had)\s+(?:the|this)\s+(?:\w+\s+)?(?:{_RECORD}|goods)\s+"
    rf"(?:\w+\s+)?(?:been\s+)?{_STATE}\b"
    r"|\bdid\s+you\s+(?:\w+\s+)?(?:get|receive|pay|approve|accept|confirm|process|send|ship)\s+"
    rf"(?:the|this)\s+(?:\w+\s+)?(?:{_RECORD}|goods)\b"
    rf"|{_ZH_RECORD}[^，。？！,?!]{{0,4}}?(?:付|收到|到|发|审核|确认|批|结清|打)(?:了|过)?(?:吗|没)",
    re.IGNORECASE,
)
CONDITION = re.compile(r"\b(?:if|unless|once|in case|as long as)\b|如果|的话|只要|一旦", re.IGNORECASE)
# Intents that are requests or social acts: a message the head is sure of is only answered from the
# knowledge base when it is worded as a question ("when is support available?", not "转人工").
SPEECH_ACTS = frozenset({"complaint", "human_handoff", "greeting", "goodbye", "thanks", "inventory_update"})
# A sales rep's questions about the data (customers, sales, trends, forecasts, listings): the handbook is
# the suppliers' rules, so a question the head is sure is one of these is answered from it only on a
# strong match (`sure`): "what industry: distributor buying electronics" is no onboarding question.
DATA_QUESTIONS = frozenset(
    {
        "customer_lookup",
        "customer_industry",
        "sales_summary",
        "recommend_products",
        "market_trends",
        "demand_forecast",
        "product_description",
        "sales_query",
    }
)
SURE_INTENT = 0.9
# "usually", "in general", "一般": a question about how things go, not about one record of the user's.
GENERAL = re.compile(
    r"\b(?:usually|normally|typically|generally|in general|common(?:ly)?|ever|any"
    r"|what happens if|is it possible)\b"
    r"|一般|通常|平时|常见|是否|能不能|可不可以",
    re.IGNORECASE,
)
# A question, not a statement: a grievance worded as a question about the rules is answered from them.
QUESTION = re.compile(
    r"[?？]|(?:^|[,;:.!，；：。！]\s*)(?:what|why|how|when|which|where|who|is|are|do|does|can|could|will|would|should)\b"
    r"|[吗呢]\s*$|为什么|为啥|怎么|什么|多少|几|哪|是否|能不能|可不可以|啥|咋",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class KnowledgeThresholds:
    """Scores of the best entry that decide a turn (cosine blends: unrelated texts score near 0)."""

    answer: float = 0.45  # a knowledge question (or one no intent is sure of) is answered from its entry
    sure: float = 0.7  # from this score the best entry answers even when the second is close
    offer: float = 0.425  # from here to `answer`, the two best entries are offered as buttons
    margin: float = 0.06  # the best entry must lead the second by this much to be answered alone
    override: float = 0.45  # another intent's message is answered from the entry at this score ...
    slope: float = 0.05  # ... plus this times that intent's confidence (a surer intent needs more)
    choose: float = 0.0  # this far below that bar: "do you want to <intent>, or ask about <entry>?"

    def override_bar(self, confidence: float) -> float:
        return self.override + self.slope * confidence


class RouteKind(StrEnum):
    ANSWER = "answer"  # answer from entries[0]; a second entry, when given, is offered under the answer
    OFFER = "offer"  # offer entries[0] and entries[1]
    CHOOSE = "choose"  # offer the intent and entries[0]
    INTENT = "intent"  # the intent's own path (forms, clarification of two intents, fallback)


@dataclass(frozen=True, slots=True)
class Route:
    kind: RouteKind
    entries: tuple[FaqEntry, ...] = ()
    score: float = 0.0


INTENT = Route(RouteKind.INTENT)


def names_a_record(nlu: NluResult) -> bool:
    """The message names one record (an id), or the user's own records ("my invoices") and asks
    nothing general ("does our invoice usually ...")."""
    return names_a_record_id(nlu) or names_own_records(nlu)


def names_a_record_id(nlu: NluResult) -> bool:
    """The message names one record by its id ("INV-2002", "PO 5512", a SKU)."""
    return any(e.type in RECORD_ENTITIES for e in nlu.entities)


def names_own_records(nlu: NluResult) -> bool:
    """The user's own records, named without an id ("my invoices", "我的订单"), or a record whose state
    is asked ("is the invoice paid?"), in a message that asks nothing general ("does our invoice
    usually ...")."""
    if GENERAL.search(nlu.text) is not None:
        return False
    if OWN_RECORDS.search(nlu.text) is not None:
        return True
    return STATUS_QUESTION.search(nlu.text) is not None and CONDITION.search(nlu.text) is None


def is_question(text: str) -> bool:
    return QUESTION.search(text) is not None


def knowledge_leaning(nlu: NluResult, confidence_threshold: float) -> bool:
    """The intent head calls this a knowledge question, or is not sure what else it is."""
    if nlu.intent in KNOWLEDGE_INTENTS or nlu.intent == OUT_OF_SCOPE:
        return True
    if nlu.confidence < confidence_threshold:
        return True
    return nlu.ambiguous and len(nlu.ranking) >= 2 and nlu.ranking[1][0] in KNOWLEDGE_INTENTS


def entries_can_decide(nlu: NluResult, confidence_threshold: float) -> bool:
    """Whether the best entries can change the turn (`route`): not for a message that names a record by
    its id and that the head does not read as a knowledge question ("when will INV-2002 be paid?"), which
    keeps its intent whatever the entries score. Such a turn is not searched for."""
    return knowledge_leaning(nlu, confidence_threshold) or not names_a_record_id(nlu)


def route(
    nlu: NluResult,
    hits: Sequence[FaqHit],
    *,
    thresholds: KnowledgeThresholds,
    confidence_threshold: float,
) -> Route:
    """Decide the turn from the intent and the best entries (`hits`, best first)."""
    if not hits:
        return INTENT
    best = hits[0]
    score = best.score
    runner_up = hits[1] if len(hits) >= 2 else None
    leads = runner_up is None or score - runner_up.score >= thresholds.margin
    clear = leads or score >= thresholds.sure
    if knowledge_leaning(nlu, confidence_threshold):
        if score >= thresholds.answer and clear:
            return Route(RouteKind.ANSWER, (best.entry,), score)
        if score >= thresholds.answer and runner_up is not None and is_question(nlu.text):
            # A question with a near tie over the bar: answer from the best entry, offer the second under
            # it. A statement ("here is our price list") is weaker evidence: it is offered the two.
            return Route(RouteKind.ANSWER, (best.entry, runner_up.entry), score)
        if score >= thresholds.offer and runner_up is not None:
            return Route(RouteKind.OFFER, (best.entry, runner_up.entry), score)
        return INTENT
    if names_a_record_id(nlu):
        return INTENT  # "when will INV-2002 be paid?" is about that invoice
    if names_own_records(nlu) and not (is_question(nlu.text) and score >= thresholds.sure and leads):
        # "has my last invoice been paid?" is about the user's invoices (its best entries score alike);
        # "my invoice was rejected, what should I do?" asks a rule that one entry answers (from `sure`,
        # ahead of the second by `margin`)
        return INTENT
    if nlu.intent in SPEECH_ACTS and not is_question(nlu.text):
        return INTENT  # "转人工", a grievance: a request or a feeling, however close to an entry it is worded
    bar = thresholds.override_bar(nlu.confidence)
    if nlu.intent in DATA_QUESTIONS and nlu.confidence >= SURE_INTENT:
        bar = max(bar, thresholds.sure)
    if score >= bar and clear:
        return Route(RouteKind.ANSWER, (best.entry,), score)
    if score >= bar - thresholds.choose:
        return Route(RouteKind.CHOOSE, (best.entry,), score)
    return INTENT


@dataclass(frozen=True, slots=True)
class KnowledgeRouting:
    """The knowledge base and its thresholds, as the dialogue manager consults them each turn."""

    kb: KnowledgeBase
    thresholds: KnowledgeThresholds = KnowledgeThresholds()
    # Run before each decision: adopts a newer handbook sync into `kb` (dialogue.handbook_store).
    refresh: Callable[[], Awaitable[object]] | None = None

    async def decide(self, nlu: NluResult, text: str, language: str, *, confidence_threshold: float) -> Route:
        if self.refresh is not None:
            await self.refresh()
        if not text.strip() or not entries_can_decide(nlu, confidence_threshold):
            return INTENT
        hits = await self.kb.search(text, language, k=2)
        thresholds = self.thresholds
        if not self.kb.semantic:  # word overlap alone is no evidence against an intent the head is sure of
            thresholds = replace(thresholds, override=math.inf, choose=0.0)
        return route(nlu, hits, thresholds=thresholds, confidence_threshold=confidence_threshold)

    def entry(self, entry_id: str, language: str) -> FaqEntry | None:
        return self.kb.entry(entry_id, language)

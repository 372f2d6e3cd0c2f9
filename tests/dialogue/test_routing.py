"""Knowledge routing: the best entries' scores beside the intent decide what answers a message."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dialogue.embedding import HashingEmbedder
from dialogue.faq import FaqEntry, FaqHit
from dialogue.routing import KnowledgeThresholds, RouteKind, entries_can_decide, route
from nlu.types import Entity, NluResult
from tests.fakes.conversation import Conversation

T = KnowledgeThresholds(
    answer=0.40, sure=1.0, offer=0.30, margin=0.05, override=0.50, slope=0.20, choose=0.05
)
TERMS = FaqEntry(
    "payment_terms", "en", "policy", ("What are your payment terms?",), "Net 30.", "our payment terms"
)
RUNS = FaqEntry(
    "payment_runs", "en", "policy", ("When do you pay?",), "Tuesdays.", "the days we make payments"
)


def nlu(
    intent: str,
    confidence: float = 0.9,
    *,
    entities: tuple[Entity, ...] = (),
    sentiment: str = "neutral",
    text: str = "…?",
) -> NluResult:
    return NluResult(text, intent, confidence, ((intent, confidence),), entities, "en", sentiment)


def hits(first: float, second: float) -> list[FaqHit]:
    return [FaqHit(TERMS, first, "en"), FaqHit(RUNS, second, "en")]


def decide(result: NluResult, found: Sequence[FaqHit]) -> RouteKind:
    return route(result, found, thresholds=T, confidence_threshold=0.45).kind


def test_a_knowledge_question_is_answered_offered_or_left_to_its_intent_by_score() -> None:
    assert decide(nlu("policy_question"), hits(0.60, 0.30)) == RouteKind.ANSWER
    assert decide(nlu("policy_question"), hits(0.38, 0.36)) == RouteKind.OFFER  # close, under the bar
    assert decide(nlu("policy_question"), hits(0.35, 0.20)) == RouteKind.OFFER  # between sure and not
    assert decide(nlu("policy_question"), hits(0.20, 0.10)) == RouteKind.INTENT  # faq_unknown
    assert decide(nlu("out_of_scope", 0.3), hits(0.45, 0.10)) == RouteKind.ANSWER
    assert decide(nlu("payment_status", 0.30), hits(0.45, 0.10)) == RouteKind.ANSWER  # an unsure intent


def test_a_near_tie_over_the_bar_is_answered_from_the_best_entry_and_offers_the_second() -> None:
    routed = route(nlu("policy_question"), hits(0.60, 0.58), thresholds=T, confidence_threshold=0.45)
    assert routed.kind == RouteKind.ANSWER
    assert [e.id for e in routed.entries] == ["payment_terms", "payment_runs"]
    clear = route(nlu("policy_question"), hits(0.60, 0.30), thresholds=T, confidence_threshold=0.45)
    assert [e.id for e in clear.entries] == ["payment_terms"]  # a clear lead offers nothing else
    statement = nlu("policy_question", text="here is our price list")
    assert decide(statement, hits(0.60, 0.58)) == RouteKind.OFFER  # a statement is offered both


def test_an_entry_that_answers_well_wins_over_a_confident_intent() -> None:
    # "what are your payment terms?" is not a request about one invoice: bar 0.50 + 0.2 * 0.9 = 0.68
    assert decide(nlu("payment_status", 0.9), hits(0.75, 0.30)) == RouteKind.ANSWER
    assert decide(nlu("payment_status", 0.9), hits(0.65, 0.30)) == RouteKind.CHOOSE
    assert decide(nlu("payment_status", 0.9), hits(0.55, 0.30)) == RouteKind.INTENT
    assert decide(nlu("payment_status", 0.5), hits(0.65, 0.30)) == RouteKind.ANSWER  # a less sure intent


def test_a_record_or_a_grievance_keeps_its_intent() -> None:
    invoice = Entity("invoice_id", "INV-2002", 10, 18, "INV-2002")
    assert decide(nlu("payment_status", entities=(invoice,)), hits(0.9, 0.3)) == RouteKind.INTENT
    angry = "this is the third late payment, I am really angry"
    assert decide(nlu("complaint", sentiment="negative", text=angry), hits(0.9, 0.3)) == RouteKind.INTENT
    why = "why are invoices usually rejected?"
    assert decide(nlu("complaint", sentiment="negative", text=why), hits(0.9, 0.3)) == RouteKind.ANSWER
    assert decide(nlu("human_handoff", 1.0, text="转人工"), hits(0.9, 0.3)) == RouteKind.INTENT
    support = "when is support available?"
    assert decide(nlu("human_handoff", 0.6, text=support), hits(0.9, 0.3)) == RouteKind.ANSWER


def test_the_users_own_records_keep_their_intent_unless_the_question_is_general() -> None:
    mine = "show me my unpaid invoices"
    assert decide(nlu("payment_status", text=mine), hits(0.9, 0.3)) == RouteKind.INTENT
    general = "our invoice keeps bouncing back, what are the common reasons"
    assert decide(nlu("payment_status", text=general), hits(0.9, 0.3)) == RouteKind.ANSWER


def test_a_strong_match_answers_even_when_the_second_entry_is_close() -> None:
    sure = KnowledgeThresholds(answer=0.40, sure=0.7, offer=0.30, margin=0.05)
    close = [FaqHit(TERMS, 0.72, "en"), FaqHit(RUNS, 0.70, "en")]
    strong = route(nlu("policy_question"), close, thresholds=sure, confidence_threshold=0.45)
    assert (strong.kind, len(strong.entries)) == (RouteKind.ANSWER, 1)
    weaker = [FaqHit(TERMS, 0.62, "en"), FaqHit(RUNS, 0.60, "en")]
    tie = route(nlu("policy_question"), weaker, thresholds=sure, confidence_threshold=0.45)
    assert (tie.kind, len(tie.entries)) == (RouteKind.ANSWER, 2)  # the second entry offered under it


def test_a_turn_that_the_entries_cannot_change_is_not_searched() -> None:
    invoice = Entity("invoice_id", "INV-2002", 10, 18, "INV-2002")
    named = nlu("payment_status", entities=(invoice,))
    assert not entries_can_decide(named, 0.45)
    for found in (hits(0.99, 0.10), hits(0.60, 0.58), hits(0.20, 0.10), []):
        assert decide(named, found) == RouteKind.INTENT  # whatever a search would have found
    assert entries_can_decide(nlu("policy_question", entities=(invoice,)), 0.45)  # a rules question
    assert entries_can_decide(nlu("payment_status", 0.30, entities=(invoice,)), 0.45)  # an unsure head
    assert entries_can_decide(nlu("payment_status"), 0.45)  # no id: "what are your payment terms?"


class WordOverlap:
    """A sentence encoder stand-in with lexical vectors (so the knowledge base counts it as semantic)."""

    def __init__(self) -> None:
        self._inner = HashingEmbedder()
        self.texts: list[str] = []

    async def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.texts.extend(texts)
        return self._inner.encode_sync(texts)


async def test_a_rules_question_is_answered_but_a_named_invoice_is_looked_up() -> None:
    chat = Conversation(embedder=WordOverlap())
    rules = await chat.one("why are invoices rejected?")  # the keyword parser says payment_status
    assert rules.outcome == "faq_answer"
    assert "PO number is missing" in str(rules.facts["answer"])
    record = await chat.one("why was invoice INV-2002 rejected?")
    assert record.outcome != "faq_answer"


async def test_the_handbook_is_not_searched_for_a_question_about_a_named_invoice() -> None:
    overlap = WordOverlap()
    chat = Conversation(embedder=overlap)
    await chat.one("why are invoices rejected?")
    assert "why are invoices rejected?" in overlap.texts
    assert (await chat.one("when will INV-2002 be paid?")).outcome == "invoice_scheduled"
    assert "when will INV-2002 be paid?" not in overlap.texts


async def test_pressing_an_offered_entry_answers_from_it() -> None:
    chat = Conversation()
    chat.session.state["clarified_text"] = "payment question"
    answer = await chat.press("faq:payment_terms", "Our payment terms")
    assert answer.outcome == "faq_answer" and "net 30" in str(answer.facts["answer"])
    assert "clarified_text" not in chat.session.state
    assert chat.session.state["last_faq"] == "payment_terms"
    assert (await chat.press("faq:no_such_entry")).outcome == "button_expired"


async def test_pressing_an_offered_entry_answers_in_chinese() -> None:
    chat = Conversation()
    await chat.one("你好")
    answer = await chat.press("faq:support_hours", "客服工作时间")
    assert answer.outcome == "faq_answer" and answer.language == "zh"
    assert "周一至周五" in str(answer.facts["answer"])


def test_a_sales_reps_data_question_is_answered_from_the_handbook_only_on_a_strong_match() -> None:
    # "what industry: Distributor buying electronics" scored 0.52 on the onboarding steps
    industry = nlu("customer_industry", 1.0, text="what industry: Distributor buying electronics")
    sure = KnowledgeThresholds(answer=0.45, sure=0.7, margin=0.06, override=0.45, slope=0.05)
    weak = [FaqHit(TERMS, 0.52, "en"), FaqHit(RUNS, 0.44, "en")]
    assert route(industry, weak, thresholds=sure, confidence_threshold=0.45).kind == RouteKind.INTENT
    strong = [FaqHit(TERMS, 0.75, "en"), FaqHit(RUNS, 0.44, "en")]
    assert route(industry, strong, thresholds=sure, confidence_threshold=0.45).kind == RouteKind.ANSWER
    unsure = nlu("market_trends", 0.49, text="raw material costs went up, how do we raise our prices?")
    assert route(unsure, weak, thresholds=sure, confidence_threshold=0.45).kind == RouteKind.ANSWER

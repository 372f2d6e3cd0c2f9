"""The user's own records, named without an id: about them, unless the question asks a rule that one
handbook entry answers clearly."""

from __future__ import annotations

from dialogue.faq import FaqEntry, FaqHit
from dialogue.routing import KnowledgeThresholds, RouteKind, names_own_records, route
from nlu.types import Entity, NluResult

T = KnowledgeThresholds(answer=0.45, sure=0.7, offer=0.425, margin=0.06, override=0.45, slope=0.05)
REJECTED = FaqEntry("invoice_rejected", "en", "policy", ("Why are invoices rejected?",), "PO missing.")
SUBMIT = FaqEntry("invoice_submission", "en", "policy", ("How do I submit an invoice?",), "Portal.")


def said(text: str, intent: str = "payment_status", confidence: float = 0.95) -> NluResult:
    return NluResult(text, intent, confidence, ((intent, confidence),), (), "en", "neutral")


def decide(message: NluResult, best: float, second: float) -> RouteKind:
    hits = [FaqHit(REJECTED, best, "en"), FaqHit(SUBMIT, second, "en")]
    return route(message, hits, thresholds=T, confidence_threshold=0.45).kind


def test_a_rules_question_about_my_invoice_is_answered_when_one_entry_answers_it_clearly() -> None:
    asked = said("My invoice was rejected - what should I do now?", "complaint")
    assert decide(asked, 0.90, 0.63) == RouteKind.ANSWER


def test_a_question_about_my_invoices_that_entries_match_alike_is_about_my_invoices() -> None:
    # "has my last invoice been paid yet?": payment terms 0.73, rejected invoices 0.72
    assert decide(said("has my last invoice been paid yet?"), 0.73, 0.72) == RouteKind.INTENT


def test_a_request_about_my_invoices_keeps_its_intent_however_well_an_entry_matches() -> None:
    assert decide(said("show me my rejected invoices"), 0.90, 0.40) == RouteKind.INTENT


def test_a_weaker_match_leaves_a_question_about_my_invoice_to_its_intent() -> None:
    assert decide(said("why was my invoice rejected?"), 0.65, 0.40) == RouteKind.INTENT


def test_an_invoice_named_by_its_id_is_always_looked_up() -> None:
    invoice = Entity("invoice_id", "INV-2002", 4, 12, "INV-2002")
    asked = said("why was INV-2002 rejected?")
    named = NluResult(asked.text, asked.intent, asked.confidence, asked.ranking, (invoice,), "en", "neutral")
    assert decide(named, 0.95, 0.40) == RouteKind.INTENT


def test_records_told_by_what_the_user_did_with_them_are_the_users_own() -> None:
    for text in (
        "The invoices we submitted last week - are they approved?",
        "is the invoice I submitted on the 2nd approved for payment?",
        "those invoices from March, are they paid?",
        "我们上周提交的发票审核了吗",
        "上个月那几张发票都结清了吗",
    ):
        assert names_own_records(said(text)), text


def test_rules_worded_in_general_are_nobodys_records() -> None:
    for text in (
        "What details must the invoice include?",
        "How do I submit an invoice?",
        "What happens to orders that we ship late?",
        "发票被退回是什么原因",
        "our invoice keeps bouncing back, what are the common reasons",
    ):
        assert not names_own_records(said(text)), text


def test_asking_the_state_of_the_invoice_or_the_goods_is_about_the_users_record() -> None:
    for text in (
        "is the invoice paid?",
        "has the last invoice been approved",
        "was the payment sent?",
        "did you receive the goods?",
        "is this order shipped",
        "发票付了吗？",
        "货收到了吗",
        "款到了没",
    ):
        assert names_own_records(said(text)), text
    # payment terms 0.723, payment runs 0.697: the rules' words, but a question about one invoice
    assert decide(said("is the invoice paid?", confidence=0.999), 0.723, 0.697) == RouteKind.INTENT


def test_the_state_of_an_invoice_under_a_condition_is_a_rule() -> None:
    for text in (
        "Is the invoice paid in USD if the PO is in USD?",
        "Does the 30-day clock start at delivery or when the invoice is accepted?",
        "订单确认后可以取消吗",
        "发票审核通过后多久付款？",
        "如果发票被退回了，货款会延迟吗",
    ):
        assert not names_own_records(said(text)), text

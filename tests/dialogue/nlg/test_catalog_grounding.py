from __future__ import annotations

import pytest

from dialogue.nlg.catalog import (
    PRODUCT_OUTCOME,
    Catalog,
    CatalogError,
    expand,
    load_catalog,
    mark,
    placeholders,
    realise,
)
from dialogue.nlg.corpus import Corpus, split_corpus
from dialogue.nlg.grounding import GroundingChecker
from tests.dialogue.nlg.conftest import DATA_DIR

ORDER_FACTS = ("order_id", "carrier", "tracking_number", "eta")


def test_catalog_has_the_contract_outcomes(catalog: Catalog) -> None:
    for name in (
        "greeting",
        "order_shipped",
        "order_offer_open",
        "invoice_list",
        "stock_confirm_update",
        "customer_profile",
        "sales_summary",
        "product_ask",
        "csat_thanks",
    ):
        assert name in catalog
    assert catalog.get("order_pending").required == ("order_id", "status")
    assert catalog.get("order_pending").optional == ("eta",)
    assert "capabilities" in catalog.get("help").blocks
    assert catalog.get("invoice_list").blocks == ()  # the invoices are the reply's table, not its text
    with pytest.raises(CatalogError):
        catalog.get("no_such_outcome")


def test_every_outcome_has_enough_variants(corpus: Corpus) -> None:
    for name, spec in corpus.catalog.outcomes.items():
        if spec.template_only:  # rendered from its template only: no phrasings to learn
            continue
        assert len(corpus.variants[(name, "en")]) >= 8, name
        assert len(corpus.variants[(name, "zh")]) >= 5, name


def test_optional_segments() -> None:
    template = "Order [order_id] is [status].{ Expected by [eta].}"
    assert expand(template, ["order_id", "status"]) == "Order [order_id] is [status]."
    assert (
        expand(template, ["order_id", "status", "eta"]) == "Order [order_id] is [status]. Expected by [eta]."
    )
    assert placeholders(template) == ["order_id", "status", "eta"]


def test_marked_targets_realise_to_the_expanded_template(corpus: Corpus) -> None:
    template = "Order [order_id] is [status].{ Expected by [eta].}"
    assert mark(template, ["order_id", "status", "eta"]) == template
    assert mark(template, ["order_id", "status"]) == "Order [order_id] is [status]."
    assert realise(template, ["order_id", "status"]) == "Order [order_id] is [status]."
    assert realise("No braces  here .", []) == "No braces  here ."  # only marked text is touched
    for (name, _), templates in corpus.variants.items():
        for text in templates:
            for combo in corpus.catalog.get(name).fact_combinations():
                assert realise(mark(text, combo), combo) == expand(text, combo), (text, combo)


def test_fallback_templates_cover_optional_facts(catalog: Catalog) -> None:
    assert (
        catalog.fallback("order_offer_open", "en", ["order_id", "status"])
        == "Do you mean [order_id] ([status])?"
    )
    assert "[ticket_id]" not in catalog.fallback("escalated", "zh", [])
    assert "[ticket_id]" in catalog.fallback("escalated", "zh", ["ticket_id"])


@pytest.fixture()
def checker(catalog: Catalog) -> GroundingChecker:
    return GroundingChecker(catalog)


def test_check_accepts_a_grounded_reply(checker: GroundingChecker) -> None:
    reply = "Order [order_id] shipped with [carrier] ([tracking_number]), due [eta]."
    assert checker.check("order_shipped", reply, ORDER_FACTS).ok


@pytest.mark.parametrize(
    ("reply", "facts", "kind"),
    [
        (
            "Order [order_id] shipped via [carrier] ([tracking_number]) on [ship_date], due [eta].",
            ORDER_FACTS,
            "unknown_placeholder",
        ),
        (
            "Order [order_id] shipped with [carrier] ([tracking_number]) to [email], due [eta].",
            ORDER_FACTS,
            "unknown_placeholder",
        ),
        ("Order [order_id] ([status]), due [eta].", ("order_id", "status"), "unfilled_placeholder"),
        (
            "Order [order_id] shipped with [carrier] ([tracking_number]) in 3 days, due [eta].",
            ORDER_FACTS,
            "invented_number",
        ),
        (
            "Order [order_id] shipped with [carrier] ([tracking_number]), see PO-1001, due [eta].",
            ORDER_FACTS,
            "invented_number",
        ),
        (
            "Order [order_id] shipped with [carrier] in two days ([tracking_number]), due [eta].",
            ORDER_FACTS,
            "invented_number",
        ),
        (
            "订单 [order_id] 已由 [carrier] 发出（[tracking_number]），三天后 [eta] 送达。",
            ORDER_FACTS,
            "invented_number",
        ),
        (
            "Order [order_id] shipped with [carrier].",
            ("order_id", "carrier", "tracking_number"),
            "missing_fact",
        ),
        ("Order [order_id] shipped with [carrier], due [eta].", ORDER_FACTS, "omitted_fact"),
        ("[order_id] [order_id] [carrier] [tracking_number] [eta]", ORDER_FACTS, "repeated_placeholder"),
        ("", ORDER_FACTS, "empty"),
        ("Order [order_id] via [carrier] [tracking_number] [eta] [tracking", ORDER_FACTS, "malformed"),
    ],
)
def test_check_rejects(checker: GroundingChecker, reply: str, facts: tuple[str, ...], kind: str) -> None:
    outcome = "order_pending" if "status" in facts else "order_shipped"
    result = checker.check(outcome, reply, facts)
    assert not result.ok
    assert result.kind == kind


def test_whole_corpus_and_all_fallbacks_pass_the_check(corpus: Corpus, checker: GroundingChecker) -> None:
    split = split_corpus(corpus)
    for row in split.train:  # a target marks optional clauses: checked as the model's output would be
        assert checker.check(row.outcome, realise(row.target, row.facts), row.facts).ok, row
    for item in split.evaluation:
        for ref in item.references:
            assert checker.check(item.outcome, ref, item.facts).ok, (item, ref)
    for name, spec in corpus.catalog.outcomes.items():
        for combo in spec.fact_combinations():
            for lang in ("en", "zh"):
                assert checker.check(name, corpus.catalog.fallback(name, lang, combo), combo).ok


def test_bad_catalog_is_rejected(tmp_path: object) -> None:
    from pathlib import Path

    bad = Path(str(tmp_path))
    (bad / "outcomes.yml").write_text(
        "outcomes:\n  x:\n    required: [a]\n    fallback:\n"
        "      en: ['no placeholder']\n      zh: ['[a]']\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError):
        load_catalog(bad)
    assert load_catalog(DATA_DIR).outcomes


def test_consistency_rejects_a_reply_that_means_another_outcome() -> None:
    from dialogue.nlg.corpus import load_corpus
    from dialogue.nlg.grounding import GroundingChecker, OutcomeConsistency

    corpus = load_corpus("dialogue/data")
    checker = GroundingChecker(corpus.catalog, consistency=OutcomeConsistency(corpus.variants))
    # a fluent, fully grounded "not found" reply given for a delivered order
    wrong = checker.check(
        "order_delivered", "I could not find order [order_id].", ["order_id", "delivered_date"]
    )
    assert not wrong.ok
    wrong = checker.check(
        "order_not_found", "I could not find order [order_id] for your account.", ["order_id"], "en"
    )
    assert wrong.ok
    swapped = checker.check(
        "order_cancelled", "I could not find order [order_id] for your account.", ["order_id"], "en"
    )
    assert not swapped.ok and swapped.reason.startswith("off_outcome:order_not_found")


def _consistency_checker() -> GroundingChecker:
    from dialogue.nlg.corpus import load_corpus
    from dialogue.nlg.grounding import OutcomeConsistency

    corpus = load_corpus("dialogue/data")
    return GroundingChecker(
        corpus.catalog, consistency=OutcomeConsistency(corpus.variants, skip=[PRODUCT_OUTCOME])
    )


def test_consistency_rejects_facts_swapped_into_the_wrong_role() -> None:
    checker = _consistency_checker()
    given = ["invoice_id", "amount", "scheduled_date"]
    good = "Payment of [amount] for invoice [invoice_id] is scheduled for [scheduled_date]."
    assert checker.check("invoice_scheduled", good, given, "en").ok
    swapped = "Payment of [amount] for invoice [scheduled_date] is scheduled for [invoice_id]."
    result = checker.check("invoice_scheduled", swapped, given, "en")
    assert not result.ok and result.reason == "misplaced_fact:scheduled_date"
    # product descriptions skip the meaning rule but not the roles: colour is not a material
    facts = ["name", "material", "color"]
    ok = checker.check(PRODUCT_OUTCOME, "[name] is made of [material] in [color].", facts, "en")
    assert ok.ok
    bad = checker.check(PRODUCT_OUTCOME, "[name] is made of [color] in [material].", facts, "en")
    assert not bad.ok and bad.kind == "misplaced_fact"
    zh = checker.check(
        "stock_updated", "已完成，[sku] 的库存已从 [qty] 更新为 [old_qty]。", ["sku", "qty", "old_qty"], "zh"
    )
    assert not zh.ok and zh.kind == "misplaced_fact"


def test_an_optional_clause_may_state_its_fact_in_any_outcome() -> None:
    checker = _consistency_checker()
    # "Reference: [ticket_id]." is a clause of complaint_escalated; escalation_exists may use it too
    reply = "Your request is already with our support team. Reference: [ticket_id]."
    assert checker.check("escalation_exists", reply, ["ticket_id"], "en").ok
    # but a fact in another fact's role is still rejected
    wrong = "Your request is already with our support team. Reference: [ticket_id]. Late orders: [ticket_id]."
    assert not checker.check("escalation_exists", wrong, ["ticket_id"], "en").ok
    # "Late orders:" labels late orders in any outcome, never a stock quantity
    swapped = "We have [sku] in stock. Late orders: [qty]."
    assert checker.check("stock_level", swapped, ["sku", "qty"], "en").kind == "misplaced_fact"
    assert checker.check("stock_level", "We have [qty] of [sku] in stock.", ["sku", "qty"], "en").ok


def test_consistency_rejects_loops_of_a_small_decoder() -> None:
    checker = _consistency_checker()
    loop = (
        "Order [order_id] has shipped with [carrier], tracking number [tracking_number]. "
        "Expected delivery: [eta], expected ship ship."
    )
    facts = ["order_id", "carrier", "tracking_number", "eta"]
    assert checker.check("order_shipped", loop, facts, "en").reason == "repetition"
    zh = "非常抱歉给您带来不便，已将您的投诉升级给客服团队。已将您的投诉升级给客服团队。"
    assert checker.check("complaint_escalated", zh, [], "zh").reason == "repetition"


def test_every_corpus_phrasing_passes_its_own_consistency_check() -> None:
    from dialogue.nlg.corpus import load_corpus
    from dialogue.nlg.grounding import OutcomeConsistency

    corpus = load_corpus("dialogue/data")
    consistency = OutcomeConsistency(corpus.variants, skip=[PRODUCT_OUTCOME])
    for (outcome, language), templates in corpus.variants.items():
        for template in templates:
            for combo in corpus.catalog.get(outcome).fact_combinations():
                text = expand(template, combo)
                assert consistency.check(outcome, language, text).ok, (outcome, language, text)


def test_a_reply_seen_before_gets_the_same_nearest_outcome_without_vectorizing_again() -> None:
    from dialogue.nlg.corpus import load_corpus
    from dialogue.nlg.grounding import OutcomeConsistency

    consistency = OutcomeConsistency(load_corpus("dialogue/data").variants)
    reply = "I could not find order [order_id] for your account."
    first = consistency.nearest("en", reply)
    vectorized: list[str] = []
    original = consistency._nearest_of

    def counting(language: str, text: str) -> str | None:
        vectorized.append(text)
        return original(language, text)

    consistency._nearest_of = counting  # type: ignore[method-assign]
    assert consistency.nearest("en", reply) == first == "order_not_found"
    assert vectorized == []
    assert consistency.nearest("zh", reply) is not None and vectorized == [reply]  # per language

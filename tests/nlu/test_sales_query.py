"""A sales rep's question read as a query, in both languages, against the names the store holds."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.sales_names import NamedThing, SalesVocabulary, find_names
from nlu.sales_query import SalesQuestion, parse_sales_question

TODAY = date(2026, 12, 7)
NAMES = SalesVocabulary.of(
    [
        NamedThing("customer", "CUS-001", "ACME Corp"),
        NamedThing("customer", "CUS-002", "Globex Industries"),
        NamedThing("customer", "CUS-003", "Initech Software"),
        NamedThing("supplier", "SUP-001", "Sunrise Textiles", ("旭日纺织",)),
        NamedThing("supplier", "SUP-002", "Huaqiang Electronics", ("华强电子",)),
        NamedThing("category", "Electronics", "Electronics", ("electronic", "gadgets", "电子产品", "电子")),
        NamedThing("category", "Home Textiles", "Home Textiles", ("towels", "家纺")),
        NamedThing("product", "HE-110", "Wireless Earbuds"),
        NamedThing("industry", "retail", "retail", ("零售",)),
    ]
)


def ask(text: str) -> SalesQuestion:
    question = parse_sales_question(text, TODAY, NAMES)
    assert question is not None, text
    return question


def test_top_customers_by_revenue_this_quarter() -> None:
    q = ask("who are our top 5 customers by revenue this quarter?")
    assert (q.kind, q.metric, q.dimension, q.rank, q.limit, q.span.span.key) == (
        "query",
        "revenue",
        "customer",
        "top",
        5,
        "this_quarter",
    )


def test_the_three_best_customers_of_last_quarter_in_chinese() -> None:
    q = ask("上个季度销售额最高的三个客户是谁")
    assert (q.metric, q.dimension, q.rank, q.limit, q.span.span.key) == (
        "revenue",
        "customer",
        "top",
        3,
        "last_quarter",
    )


@pytest.mark.parametrize(
    ("text", "comparison", "period"),
    [
        ("compare this month's revenue with the same month last year", "year_before", "this_month"),
        ("revenue this week vs last week", "previous", "last_week"),
        ("本月销售额同比", "year_before", "this_month"),
        ("上个月销售额环比", "previous", "last_month"),
        ("electronics revenue year over year in Q3", "year_before", "q3"),
    ],
)
def test_comparisons_are_not_taken_for_the_period(text: str, comparison: str, period: str) -> None:
    q = ask(text)
    assert (q.comparison, q.span.span.key) == (comparison, period)


def test_revenue_vs_last_week_compares_this_week_with_it() -> None:
    q = ask("revenue this week vs last week")
    assert q.comparison == "previous"


def test_a_category_named_in_either_language_filters() -> None:
    en = ask("how much revenue did electronics bring in last week?")
    zh = ask("上周电子产品的销售额")
    assert [f.key for f in en.filters] == [f.key for f in zh.filters] == ["Electronics"]
    assert en.dimension is None and en.span.span.key == "last_week"


def test_a_supplier_ranked_by_late_orders_with_no_period_says_the_default() -> None:
    q = ask("which supplier has the most late orders?")
    assert (q.metric, q.dimension, q.ranked, q.span.default) == ("late_orders", "supplier", True, True)
    assert ask("哪个供应商延迟订单最多").dimension == "supplier"


def test_fell_most_ranks_by_the_change_against_the_period_before() -> None:
    for text in ("which customers' revenue fell most this month", "本月销售额下降最多的客户"):
        q = ask(text)
        assert (q.order_by, q.rank, q.comparison, q.dimension) == ("change", "bottom", "previous", "customer")


def test_bottom_products_by_units() -> None:
    q = ask("bottom 3 products by units in November")
    assert (q.metric, q.dimension, q.rank, q.limit, q.span.span.key) == (
        "units",
        "product",
        "bottom",
        3,
        "month",
    )


@pytest.mark.parametrize(
    ("text", "days", "given"),
    [
        ("which customers haven't ordered in 60 days?", 60, True),
        ("哪些客户60天没下单了", 60, True),
        ("who hasn't placed an order for 2 months", 60, True),
        ("list dormant accounts", 30, False),
    ],
)
def test_quiet_customers(text: str, days: int, given: bool) -> None:
    q = ask(text)
    assert (q.kind, q.quiet_days, q.quiet_days_given) == ("quiet", days, given)


def test_a_draft_names_its_customer() -> None:
    q = ask("draft a follow-up email to Globex about their late order")
    assert q.kind == "draft" and [f.name for f in q.filters] == ["Globex Industries"]
    assert ask("给Globex写一封跟进邮件").kind == "draft"


@pytest.mark.parametrize(
    "text",
    [
        "tell me about Globex",
        "open orders for customer ACME?",
        "sales summary for last week",
        "how were sales last week",
        "market trends for electronics",
        "家纺的市场走势",
        "本周销售报告",
        "what industry is Globex Industries in",
        "where is PO-1001?",
        "hello",
    ],
)
def test_other_intents_questions_are_no_query(text: str) -> None:
    assert parse_sales_question(text, TODAY, NAMES) is None


def test_names_match_by_a_distinctive_word_and_a_close_spelling() -> None:
    assert [m.thing.key for m in find_names("Globx revenue", NAMES)] == ["CUS-002"]
    assert [m.thing.key for m in find_names("华强电子上个月的订单数", NAMES)] == ["SUP-002"]
    # the supplier's whole name wins over the category inside it
    assert [m.thing.key for m in find_names("Huaqiang Electronics late orders", NAMES)] == ["SUP-002"]
    assert find_names("industries and software", NAMES) == ()


def test_the_quick_bounds_of_a_misspelling_agree_with_the_full_ratio() -> None:
    import difflib
    import itertools

    from nlu.sales_names import FUZZY_CUTOFF, close_enough

    words = [
        "globex",
        "globx",
        "gloebx",
        "initech",
        "intech",
        "initiech",
        "umbrella",
        "umbrela",
        "acme",
        "stark",
    ]
    for a, b in itertools.product(words, repeat=2):
        assert close_enough(a, b) == (difflib.SequenceMatcher(None, a, b).ratio() >= FUZZY_CUTOFF), (a, b)

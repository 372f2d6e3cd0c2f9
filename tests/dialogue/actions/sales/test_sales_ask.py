"""A sales rep asks about the business and gets the question answered as asked (issue 25)."""

from __future__ import annotations

from datetime import date

import pytest

from dialogue.llm.gate import ModelGate
from dialogue.messages import ChannelKind, Platform
from nlu.sales_names import SalesVocabulary
from nlu.sales_query import SalesQuestion
from tests.dialogue.llm.conftest import ScriptedModel
from tests.fakes.backend import FakeBackend
from tests.fakes.conversation import Conversation

# The fake's day is Monday 2026-11-23: "this month so far" is Nov 1-22.


def rep(*, history: bool = False, channel: ChannelKind = ChannelKind.SALES) -> Conversation:
    platform = Platform.WEB if channel == ChannelKind.WEB else Platform.SLACK
    return Conversation(
        supplier_id=None, channel=channel, platform=platform, backend=FakeBackend(history=history)
    )


async def test_top_customers_by_revenue_get_a_sentence_and_a_ranked_table() -> None:
    reply = await rep().one("who are our top 5 customers by revenue this quarter?")
    assert reply.outcome == "sales_query_top"
    assert reply.facts["leader"] == "ACME Corp" and reply.facts["value"] == "$7,439.00"
    assert reply.facts["period"] == "this quarter so far (Oct 1 – Nov 22)"
    assert reply.table[0] == ("Customer", "Revenue")
    assert [row[0] for row in reply.table[1:4]] == ["ACME Corp", "Initech Software", "Globex Industries"]


async def test_a_category_filter_answers_for_that_category_only() -> None:
    reply = await rep().one("how much revenue did electronics bring in last week?")
    assert reply.outcome == "sales_query_total"
    assert reply.facts["scope"] == "for Electronics" and reply.facts["value"] == "$4,800.00"
    assert reply.facts["period"] == "last week (Nov 16–22)"


async def test_no_period_given_is_this_month_so_far_and_the_reply_says_so() -> None:
    reply = await rep().one("which supplier has the most late orders?")
    assert reply.outcome == "sales_query_top"  # never "please link your account first"
    assert reply.facts["leader"] == "Nordic Home Goods" and reply.facts["value"] == "1"
    assert "No period given, so this month so far (Nov 1–22)" in str(reply.facts["note"])


async def test_a_comparison_with_the_year_before_has_the_change() -> None:
    chat = rep()
    [said] = await chat.say(
        "compare this month's revenue with the same month last year"
    )  # (chart: see test_query_chart)
    assert said.outcome == "sales_query_total"
    assert said.facts["compared"] == "the same days a year earlier (Nov 1–22, 2025)"
    assert said.facts["change"] == "+$11,669.00 (new)"


async def test_revenue_that_fell_most_ranks_by_the_change() -> None:
    reply = await rep().one("which customers' revenue fell most this month")
    assert reply.outcome == "sales_query_fell"
    assert reply.facts["leader"] == "Wayne Hospitality" and reply.facts["change"] == "−$900.00 (−100%)"
    assert reply.table[0] == ("Customer", "Revenue", "Before", "Change")


async def test_the_same_questions_in_chinese() -> None:
    chat = rep()
    top = await chat.one("哪个供应商延迟订单最多")
    assert top.language == "zh" and top.outcome == "sales_query_top"
    assert top.table[0] == ("供应商", "延迟订单数")
    total = await chat.one("华强电子上个月的订单数")
    assert total.outcome == "sales_query_total" and total.facts["scope"] == "华强电子"
    assert total.facts["period"] == "上个月（10月1日–31日）"
    yoy = await chat.one("本月电子产品的销售额同比")
    assert yoy.facts["scope"] == "电子产品" and str(yoy.facts["compared"]).startswith("去年同期")


async def test_quiet_customers_with_their_usual_interval() -> None:
    reply = await rep(history=True).one("which customers haven't ordered in 30 days?")
    assert reply.outcome in ("quiet_customers", "quiet_customers_none")
    if reply.outcome == "quiet_customers":
        assert reply.table[0] == ("Customer", "Last order", "Usually", "Orders")
        assert reply.facts["days"] == "30"


async def test_a_question_the_layer_cannot_answer_says_so_and_offers_the_closest() -> None:
    chat = rep()
    reply = await chat.one("returns by customer this month")
    assert reply.outcome == "sales_query_unsupported"
    assert reply.facts["reason"] == "no returns data is stored"
    [button] = reply.buttons
    assert button.value == "intent:sales_query" and button.label == "Complaints by customer this month"
    pressed = await chat.press(button.value, button.label)  # the closest question, answered by the layer
    assert pressed.outcome.startswith("sales_query") and pressed.outcome != "sales_query_unsupported"
    assert pressed.facts["metric"] == "number of complaints"


async def test_complaints_by_product_are_not_recorded_and_the_reply_says_why_in_chinese() -> None:
    reply = await rep().one("本月各商品的投诉数")
    assert reply.outcome == "sales_query_unsupported" and reply.facts["reason"] == "投诉没有按商品记录"


async def test_drafting_without_a_model_says_so_and_gives_the_facts() -> None:
    reply = await rep().one("draft a follow-up email to Globex about their late order")
    assert reply.outcome == "sales_draft_needs_model"
    assert reply.facts["target"] == "Globex Industries"
    assert "PO-1002" in str(reply.facts["facts"])
    zh = await rep().one("给Globex写一封跟进邮件")
    assert zh.outcome == "sales_draft_needs_model" and zh.language == "zh"


def with_model(answer: str, *, uses: tuple[str, ...] = ("assist",)) -> tuple[Conversation, ScriptedModel]:
    model = ScriptedModel(answer)
    gate = ModelGate(model, uses=uses, timeout_seconds=2)
    chat = Conversation(
        supplier_id=None, channel=ChannelKind.SALES, platform=Platform.SLACK, backend=FakeBackend(), llm=gate
    )
    return chat, model


async def test_a_configured_model_drafts_from_the_facts_of_the_query() -> None:
    chat, model = with_model(
        "Dear Globex Industries team, a quick update on PO-1002: we are on it. Best regards"
    )
    reply = await chat.one("draft a follow-up email to Globex about their late order")
    assert reply.outcome == "sales_draft"
    assert "PO-1002" in str(reply.facts["draft"])
    ((use, messages),) = model.calls
    assert use == "assist" and "PO-1002" in messages[-1].content  # the facts went to the model


async def test_a_draft_that_invents_an_order_is_not_shown() -> None:
    chat, _ = with_model("Dear Globex, PO-9999 ships tomorrow with a 15% discount.")
    reply = await chat.one("draft a follow-up email to Globex about their late order")
    assert reply.outcome == "sales_draft_unavailable"
    assert "PO-9999" not in str(reply.facts) and "PO-1002" in str(reply.facts["facts"])


async def test_drafting_stays_off_when_assist_is_not_among_the_uses() -> None:
    chat, model = with_model("Dear Globex", uses=("listing",))
    reply = await chat.one("draft a follow-up email to Globex about their late order")
    assert reply.outcome == "sales_draft_needs_model" and model.calls == []


async def test_other_sales_intents_keep_their_questions() -> None:
    chat = rep()
    assert (await chat.one("sales summary for last week")).outcome == "sales_summary"
    assert (await chat.one("tell me about Globex")).outcome == "customer_profile"
    assert (await chat.one("market trends for electronics")).outcome.startswith("market_trends")


async def test_a_rep_is_never_asked_to_link_a_supplier_account() -> None:
    reply = await rep().one("where is PO-1001?")  # a supplier's question, from a sales channel
    assert reply.outcome != "link_required"
    assert reply.outcome == "sales_query_unsupported"


async def test_a_supplier_chat_is_not_routed_to_the_layer() -> None:
    supplier = Conversation(backend=FakeBackend())  # a linked supplier in a Telegram DM
    reply = await supplier.one("which supplier has the most late orders?")
    assert not reply.outcome.startswith("sales_query")


async def test_a_reps_question_is_read_once_though_two_parts_of_the_turn_ask_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dialogue.actions.sales.ask as ask

    read: list[str] = []
    original = ask.parse_sales_question

    def counting(text: str, today: date, vocabulary: SalesVocabulary) -> SalesQuestion | None:
        read.append(text)
        return original(text, today, vocabulary)

    monkeypatch.setattr(ask, "parse_sales_question", counting)
    ask._question.cache_clear()
    reply = await rep().one("how much revenue did the kitchenware category bring in last month?")
    assert reply.outcome == "sales_query_total"
    assert read == ["how much revenue did the kitchenware category bring in last month?"]
    ask._question.cache_clear()

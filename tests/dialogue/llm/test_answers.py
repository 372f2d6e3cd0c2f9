"""Handbook answers from a model: in the user's language, cited, and only with the passage's figures;
otherwise the passage itself is the answer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogue.llm.answers import answer_problem, sentence_count
from dialogue.llm.gate import ModelGate
from tests.dialogue.llm.conftest import CountingObserver, ScriptedModel
from tests.fakes.conversation import Conversation


def with_model(
    chat: Conversation, answer: str, *, uses: tuple[str, ...] = ("knowledge",)
) -> tuple[ScriptedModel, CountingObserver]:
    model, observer = ScriptedModel(answer), CountingObserver()
    gate = ModelGate(model, uses=uses, timeout_seconds=1, observer=observer)
    chat.manager._services = replace(chat.manager._services, llm=gate)
    return model, observer


async def test_the_model_answers_from_the_passage_and_the_source_is_named() -> None:
    chat = Conversation()
    model, observer = with_model(
        chat, "We pay invoices net 30, counted from the date we receive the invoice."
    )
    terms = await chat.one("What are your payment terms?")
    answer = str(terms.facts["answer"])
    assert answer.startswith(
        "We pay invoices net 30, counted from the date we receive the invoice.\n— Handbook: "
    )
    ((use, messages),) = model.calls
    assert (
        use == "knowledge"
        and "net 30" in messages[1].content
        and "What are your payment terms?" in messages[1].content
    )
    assert "English" in messages[0].content and observer.rejections == []


async def test_a_figure_not_in_the_passage_is_refused_and_the_passage_shown() -> None:
    chat = Conversation()
    _, observer = with_model(chat, "We pay invoices net 45, counted from delivery.")
    terms = await chat.one("What are your payment terms?")
    answer = str(terms.facts["answer"])
    assert "net 45" not in answer and "net 30" in answer
    assert observer.rejections == [("knowledge", "invented_number")]


async def test_a_chinese_question_gets_a_chinese_answer_or_the_passage() -> None:
    chat = Conversation(supplier_id=None)
    model, observer = with_model(chat, "Payment is net 30.")  # English to a Chinese question
    reply = await chat.one("付款条件是什么？")
    assert reply.outcome == "faq_answer" and "Payment is net 30." not in str(reply.facts["answer"])
    assert "Simplified Chinese" in model.calls[0][1][0].content
    assert observer.rejections == [("knowledge", "language")]


async def test_with_knowledge_off_the_model_is_not_asked() -> None:
    chat = Conversation()
    model, _ = with_model(chat, "We pay invoices net 30.", uses=("listing",))
    terms = await chat.one("What are your payment terms?")
    assert "net 30" in str(terms.facts["answer"]) and model.calls == []


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("Orders ship within 5 days.", "invented_number"),
        ("Quote PO-30 on the invoice.", "invented_id"),
        ("Payment is due in March.", "invented_date"),
        ("一二三。四五六。七八九。十。十一。", "too_long"),
    ],
)
def test_what_the_checks_refuse(answer: str, reason: str) -> None:
    passage = "Invoices are paid net 30 from receipt. Orders ship within 10 days."
    language = "zh" if reason == "too_long" else "en"
    assert answer_problem(answer, passage, "Payments › Payment terms", language)[0] == reason


def test_sentences_are_counted_in_both_languages() -> None:
    assert (
        sentence_count("One. Two! Three?") == 3
        and sentence_count("一。二！") == 2
        and sentence_count("No end") == 1
    )

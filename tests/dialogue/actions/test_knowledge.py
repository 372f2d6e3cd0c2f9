"""onboarding and policy_question: FAQ answers by retrieval, in English and Chinese."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from dialogue.actions.knowledge import FaqEntry, KnowledgeBase, load_faq
from dialogue.embedding import SLICE, HashingEmbedder
from dialogue.faq import ANSWER_WEIGHT, SENTENCE_WEIGHT, answer_rows
from tests.dialogue.conftest import AsyncEncoder
from tests.fakes.conversation import Conversation


async def test_policy_questions_in_english() -> None:
    chat = Conversation()
    terms = await chat.one("What are your payment terms?")
    assert terms.outcome == "faq_answer"
    assert "net 30" in str(terms.facts["answer"])
    penalty = await chat.one("what is the penalty for late delivery?")
    assert "2% of the order value" in str(penalty.facts["answer"])
    labels = await chat.one("how should I label the cartons?")
    assert "GS1-128" in str(labels.facts["answer"])
    moq = await chat.one("do you have a minimum order quantity?")
    assert "(MOQ)" in str(moq.facts["answer"])


async def test_onboarding_questions_in_english() -> None:
    chat = Conversation(supplier_id=None)  # open to suppliers who are not linked yet
    docs = await chat.one("which documents do I need to register as a supplier?")
    assert docs.outcome == "faq_answer"
    assert "business licence" in str(docs.facts["answer"])
    time = await chat.one("how long does verification take?")
    assert "3 to 5 business days" in str(time.facts["answer"])


async def test_policy_and_onboarding_questions_in_chinese() -> None:
    chat = Conversation(supplier_id=None)
    returns = await chat.one("你们的退货政策是什么？")
    assert returns.outcome == "faq_answer" and returns.language == "zh"
    assert "30 天内退回" in str(returns.facts["answer"])
    docs = await chat.one("注册成为供应商需要哪些资料？")
    assert "营业执照" in str(docs.facts["answer"])
    penalty = await chat.one("延迟交货有什么罚款？")
    assert "2%" in str(penalty.facts["answer"])


async def test_moq_question_in_chinese() -> None:
    reply = await Conversation().one("起订量是多少？")
    assert reply.outcome == "faq_answer"
    assert reply.language == "zh"
    assert "起订量" in str(reply.facts["answer"])


async def test_unknown_policy_question_offers_a_human_and_yes_escalates() -> None:
    chat = Conversation()
    unknown = await chat.one("can I register my pet llama?")
    assert unknown.outcome == "faq_unknown"
    assert [b.value for b in unknown.buttons] == ["confirm:yes", "confirm:no"]
    assert chat.session.active_form == "offer_human"
    escalated = await chat.one("yes")
    assert escalated.outcome == "escalated"
    assert chat.escalations.all[0].reasons[0].code == "repeated_fallback"


async def test_unknown_policy_question_declined() -> None:
    chat = Conversation()
    unknown = await chat.one("你们赞助足球比赛的政策？")
    assert unknown.outcome == "faq_unknown" and unknown.language == "zh"
    assert (await chat.one("no")).outcome == "cancelled"
    assert chat.escalations.all == []


def test_knowledge_files_cover_the_required_topics_in_both_languages() -> None:
    entries = load_faq()
    for lang in ("en", "zh"):
        ids = {e.id for e in entries if e.language == lang}
        assert len(ids) >= 25
        assert {"payment_terms", "returns_policy", "labelling", "late_delivery_penalty", "moq",
                "registration_documents", "verification_time"} <= ids  # fmt: skip
    assert {e.id for e in entries if e.language == "en"} == {e.id for e in entries if e.language == "zh"}


class Counting:
    """An embedder that records what it was asked to encode."""

    def __init__(self) -> None:
        self._inner = HashingEmbedder()
        self.calls: list[list[str]] = []

    async def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        return self._inner.encode_sync(texts)


async def test_faq_embeddings_are_computed_once() -> None:
    counting = Counting()
    kb = KnowledgeBase(load_faq(), counting, threshold=0.3, lexical_weight={"en": 0.5, "zh": 0.5})
    for _ in range(3):
        await kb.answer("what are your payment terms", "en")
    queries = [call for call in counting.calls if call == ["what are your payment terms"]]
    index = [text for call in counting.calls if call not in queries for text in call]
    assert len(queries) == 1  # a repeated query (routing, then the action) is encoded once
    assert len(index) == len(set(index)) > 3  # every entry encoded once
    assert all(len(call) <= SLICE for call in counting.calls)  # in slices a turn can go between


async def test_warming_up_encodes_the_index_before_the_first_question() -> None:
    counting = Counting()
    kb = KnowledgeBase(load_faq(), counting, threshold=0.3, lexical_weight={"en": 0.5, "zh": 0.5})
    await kb.warm()
    warmed = len(counting.calls)
    assert warmed > 0
    await kb.answer("what are your payment terms", "en")
    assert counting.calls[warmed:] == [["what are your payment terms"]]


async def test_retrieval_falls_back_to_the_other_language() -> None:
    entries = [FaqEntry("oeko", "en", "policy", ("Do textiles need OEKO-TEX certificates?",),
                        "Yes, OEKO-TEX Standard 100 or an equivalent test report.")]  # fmt: skip
    kb = KnowledgeBase(entries, HashingEmbedder(), threshold=0.3)
    hit = await kb.answer("OEKO-TEX certificates 需要吗", "zh")
    assert hit is not None and hit.entry.id == "oeko" and hit.matched_language == "en"
    assert await kb.answer("完全无关的问题", "zh") is None


@pytest.mark.slow
async def test_real_encoder_faq(minilm: AsyncEncoder, multilingual: AsyncEncoder) -> None:
    """As the bot runs: the retrieval encoder (multilingual-e5, centered), MiniLM for English queries."""
    kb = KnowledgeBase(load_faq(), multilingual, english=minilm, threshold=0.45)
    cases = [
        ("en", "how many days until you pay my invoice?", "payment_terms"),
        ("en", "can I send back faulty goods?", "returns_policy"),
        ("en", "is there a fine when we ship late?", "late_delivery_penalty"),
        ("en", "what paperwork do you need to onboard my company?", "registration_documents"),
        ("en", "how long until my account is verified?", "verification_time"),
        ("zh", "退货政策是什么？", "returns_policy"),
        ("zh", "外箱标签有什么要求？", "labelling"),
        ("zh", "延迟交货会罚款吗？", "late_delivery_penalty"),
        ("zh", "注册要准备什么文件？", "registration_documents"),
        ("zh", "审核需要多长时间？", "verification_time"),
    ]
    for language, question, expected in cases:
        hit = await kb.answer(question, language)
        assert hit is not None, question
        assert hit.entry.id == expected, (question, hit.entry.id, hit.score)
        assert hit.entry.language == language
    for language, question in (("en", "what's the weather in Shanghai tomorrow?"), ("zh", "讲个笑话吧")):
        assert await kb.answer(question, language) is None, question


@pytest.mark.slow
async def test_multilingual_retrieval_keeps_unrelated_questions_below_the_threshold(
    multilingual: AsyncEncoder,
) -> None:
    kb = KnowledgeBase(load_faq(), multilingual, threshold=0.4)
    assert (await kb.answer("what documents do I need to register as a supplier?", "en")) is not None
    assert (await kb.answer("注册供应商需要什么资料", "zh")) is not None
    assert await kb.answer("tell me a joke", "en") is None
    assert await kb.answer("明天天气怎么样", "zh") is None


async def test_the_answer_cites_its_handbook_heading_in_the_users_language() -> None:
    chat = Conversation()
    english = await chat.one("What are your payment terms?")
    assert str(english.facts["answer"]).endswith("\n— Handbook: Payments and invoices › Payment terms")
    chinese = await chat.one("你们的退货政策是什么？")
    assert str(chinese.facts["answer"]).endswith("\n——来源：退货、标签与包装 › 退货政策")


async def test_an_entry_two_of_whose_questions_match_outranks_one_that_matches_once() -> None:
    """The best row decides most of an entry's score; a second matching row breaks near ties."""
    once = FaqEntry("once", "en", "policy", ("pallet label size", "office opening hours"), "Labels are A6.")
    twice = FaqEntry("twice", "en", "policy", ("pallet label size", "pallet label position"), "Top left.")
    kb = KnowledgeBase([once, twice], HashingEmbedder(), threshold=0.1)
    ranked = await kb.rank("pallet label size", "en")  # both match one question word for word
    assert [hit.entry.id for hit in ranked] == ["twice", "once"]
    assert ranked[0].score > ranked[1].score


def test_a_longer_answer_is_indexed_whole_and_sentence_by_sentence() -> None:
    answer = "We pay by T/T only, e.g. to a CNY account. Bank charges are shared.\n我们只用电汇付款；手续费各自承担。"  # noqa: E501
    assert answer_rows(answer) == [
        (answer, ANSWER_WEIGHT),
        ("We pay by T/T only, e.g. to a CNY account.", SENTENCE_WEIGHT),  # "e.g. to" goes on
        ("Bank charges are shared.", SENTENCE_WEIGHT),
        ("我们只用电汇付款；", SENTENCE_WEIGHT),
        ("手续费各自承担。", SENTENCE_WEIGHT),
    ]
    assert answer_rows("Labels are A6.") == [("Labels are A6.", ANSWER_WEIGHT)]  # one sentence: once
    # a sentence that says nothing alone is no row of its own: a bare "yes" must not match it
    assert answer_rows("Yes. Samples are free up to 5 units.") == [
        ("Yes. Samples are free up to 5 units.", ANSWER_WEIGHT)
    ]
    assert [text for text, _ in answer_rows("是的。样品五件以内免费。")] == ["是的。样品五件以内免费。"]


async def test_a_question_about_one_sentence_of_a_long_answer_finds_that_entry() -> None:
    """A question written from an answer asks about one of its sentences; the whole paragraph's vector
    is an average of all of them."""
    returns = FaqEntry("returns", "en", "policy", ("What is your return policy?",), (
        "Defective goods can be returned within 30 days of delivery. We open a return authorization with "
        "photos and the affected quantities. Accepted returns are credited against your next invoice. "
        "The supplier pays the return freight and any disposal cost."))  # fmt: skip
    freight = FaqEntry("freight", "en", "policy", ("Who pays for delivery to the warehouse?",),
                       "Delivery to our warehouse is at the supplier's cost.")  # fmt: skip
    kb = KnowledgeBase([returns, freight], HashingEmbedder(), threshold=0.1)
    ranked = await kb.rank("who pays the disposal cost of defective goods?", "en")
    assert ranked[0].entry.id == "returns"
    whole = (await kb.entry_scores("who pays the disposal cost of defective goods?", "en"))[0]
    assert whole > ANSWER_WEIGHT * 0.3  # the sentence matched, not the paragraph's average

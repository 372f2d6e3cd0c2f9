"""FAQ answers, complaints, handoff and small talk."""

from __future__ import annotations

from tests.dialogue.fakes import Conversation


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
    assert chat.handoff.escalations[0]["reason"] == "repeated_fallback"


async def test_unknown_policy_question_declined() -> None:
    chat = Conversation()
    unknown = await chat.one("你们赞助足球比赛的政策？")
    assert unknown.outcome == "faq_unknown" and unknown.language == "zh"
    assert (await chat.one("no")).outcome == "cancelled"
    assert chat.handoff.escalations == []


async def test_complaint_is_escalated_with_priority_from_sentiment() -> None:
    chat = Conversation()
    angry = await chat.one("This is unacceptable, PO-1001 arrived damaged, I want to complain")
    assert angry.outcome == "complaint_escalated"
    assert angry.facts == {"ticket_id": "#1"}
    first = chat.handoff.escalations[0]
    assert first["priority"] == "high" and first["reason"] == "complaint"
    assert first["order_ids"] == ["PO-1001"] and first["supplier_id"] == "SUP-001"
    again = await chat.one("I want to complain again")
    assert again.outcome == "escalation_exists"
    calm = Conversation(user="u2")
    await calm.one("我要投诉一下包装问题")
    assert calm.handoff.escalations[0]["priority"] == "normal"


async def test_human_handoff_and_small_talk() -> None:
    chat = Conversation()
    assert (await chat.one("hello")).outcome == "greeting"
    assert (await chat.one("谢谢")).outcome == "thanks"
    help_ = await chat.one("what can you do")
    assert help_.outcome == "help" and "Order status" in str(help_.facts["capabilities"])
    assert (await chat.one("talk to a human please")).outcome == "escalated"
    assert (await chat.one("goodbye")).outcome == "goodbye"

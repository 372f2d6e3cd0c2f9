"""A supplier asks for a person; agents claim, talk and resolve on the desk; the bot is silent meanwhile."""

from __future__ import annotations

from dialogue.handoff.model import Priority, ReasonCode, Status
from dialogue.settings import HandoffSettings
from tests.fakes.conversation import Conversation
from tests.fakes.desk import DESK, AgentDesk

CARD = "1700000000.000100"


def handed_over(**kwargs: object) -> tuple[Conversation, AgentDesk]:
    chat = Conversation(desk=DESK, **kwargs)  # type: ignore[arg-type]
    return chat, AgentDesk(chat)


async def test_request_posts_a_card_and_silences_the_bot_until_an_agent_resolves() -> None:
    chat, desk = handed_over()
    told = await chat.one("I want to talk to a real person about PO-1001")
    assert told.outcome == "escalated" and told.facts == {"ticket_id": "#1"}
    [esc] = chat.escalations.all
    assert esc.status == Status.PENDING and esc.reasons[0].code == ReasonCode.USER_REQUEST
    [card] = chat.escalations.queued
    assert (
        card.kind == "card"
        and card.card is not None
        and "Sunrise Textiles (SUP-001)" in str(card.card.fields)
    )
    assert [b.value for b in card.buttons] == ["handoff:claim:1"]
    assert "PO-1001: shipped" in "\n".join(card.card.sections)
    chat.escalations.card_posted(esc.id, CARD)

    mirrored = await chat.say("hello? are you there")
    assert [(m.outcome, m.text) for m in mirrored] == [("relay_in", "**Li Wei**: hello? are you there")]

    assert await desk.click("UANN", "handoff:claim:1") == []
    assert chat.escalations.all[0].assignee is not None
    notice = chat.escalations.queued_to(chat.session.key.as_str())[-1]
    assert notice.kind == "handoff" and "Ann from our team has taken over" in notice.text

    assert await desk.says("UANN", "Hi Li, PO-1001 is with DHL, arriving Thursday.", thread=CARD) == []
    relay = chat.escalations.queued_to(chat.session.key.as_str())[-1]
    assert (relay.kind, relay.text) == ("relay", "Hi Li, PO-1001 is with DHL, arriving Thursday.")

    assert await desk.click("UANN", "handoff:resolve:1") == []
    assert chat.escalations.all[0].status == Status.RESOLVED
    assert (chat.session.key.as_str(), False) in chat.escalations.handovers  # the bot has it again
    assert (await chat.one("where is PO-1001?")).outcome == "order_shipped"


async def test_two_agents_click_claim_and_the_loser_is_told_who_won() -> None:
    chat, desk = handed_over()
    await chat.one("talk to a human")
    assert await desk.click("UBOB", "handoff:claim:1") == []
    [refusal] = await desk.click("UANN", "handoff:claim:1")
    assert refusal.visible_to == "UANN" and refusal.text == "Not done: already claimed by Bob."


async def test_only_agents_may_claim() -> None:
    chat, desk = handed_over()
    await chat.one("talk to a human")
    [refusal] = await desk.click("UEVE", "handoff:claim:1")
    assert refusal.visible_to == "UEVE" and "Only support agents" in refusal.text
    assert chat.escalations.all[0].status == Status.PENDING


async def test_notes_and_other_agents_stay_internal() -> None:
    chat, desk = handed_over()
    await chat.one("talk to a human")
    chat.escalations.card_posted(1, CARD)
    await desk.click("UANN", "handoff:claim:1")
    before = len(chat.escalations.queued_to(chat.session.key.as_str()))
    assert await desk.says("UANN", "note: the supplier called twice already", thread=CARD) == []
    [hint] = await desk.says("UBOB", "I can take this if you want", thread=CARD)
    assert hint.visible_to == "UBOB" and "Only the assignee is heard" in hint.text and "Ann" in hint.text
    assert (
        len(chat.escalations.queued_to(chat.session.key.as_str())) == before
    )  # nothing reached the supplier
    kinds = [e.kind for e in await chat.escalations.events(1)]
    assert kinds.count("note") == 2


async def test_the_supplier_can_cancel_while_waiting_in_chinese() -> None:
    chat, _desk = handed_over()
    await chat.one("我要人工客服")
    [withdrawn] = await chat.say("取消")
    assert withdrawn.text == "好的，已取消转人工请求。还有什么可以帮您？"
    assert chat.escalations.all[0].status == Status.WITHDRAWN and not chat.session.held
    assert (await chat.one("PO-1001 到哪了？")).outcome == "order_shipped"


async def test_return_to_bot_tells_the_supplier_and_the_bot_answers_again() -> None:
    chat, desk = handed_over()
    await chat.one("talk to a human")
    await desk.click("UANN", "handoff:claim:1")
    assert await desk.click("UBOB", "handoff:return:1") != []  # only the holder can hand it back
    assert await desk.click("UANN", "handoff:return:1") == []
    notice = chat.escalations.queued_to(chat.session.key.as_str())[-1]
    assert "handed the conversation back to me" in notice.text
    assert chat.escalations.all[0].status == Status.RETURNED


async def test_a_negative_complaint_is_urgent_and_shows_its_score() -> None:
    chat, _desk = handed_over()
    await chat.one("This is terrible, the goods arrived broken and nobody answers, I want to complain")
    [esc] = chat.escalations.all
    assert esc.priority == Priority.HIGH and esc.reasons[0].code == ReasonCode.COMPLAINT
    assert "sentiment negative (-" in esc.reasons[0].detail
    assert "[HIGH]" in (chat.escalations.queued[0].card.title if chat.escalations.queued[0].card else "")


async def test_business_rules_vip_and_order_value() -> None:
    vip, _ = handed_over(handoff=HandoffSettings(vip_suppliers=("SUP-001",)))
    told = await vip.one("when is INV-2002 paid?")
    assert told.outcome == "escalated"
    assert [r.code for r in vip.escalations.all[0].reasons] == [ReasonCode.VIP_SUPPLIER]
    big, _ = handed_over(handoff=HandoffSettings(order_value_threshold=1000))
    assert (await big.one("where is PO-1001?")).outcome == "escalated"
    [reason] = big.escalations.all[0].reasons
    assert reason.code == ReasonCode.ORDER_VALUE and reason.detail.startswith("PO-1001: USD 4,999.00 > 1,000")
    small, _ = handed_over(handoff=HandoffSettings(order_value_threshold=10_000))
    assert (await small.one("where is PO-1001?")).outcome == "order_shipped"


async def test_repeated_fallbacks_offer_a_person_and_yes_escalates() -> None:
    chat, _desk = handed_over()
    await chat.say("blorp")
    offer = await chat.one("zxqv wibble")
    assert offer.outcome == "out_of_scope_offer_human"
    assert (await chat.one("yes")).outcome == "escalated"
    assert chat.escalations.all[0].reasons[0].code == ReasonCode.REPEATED_FALLBACK


async def test_the_offered_button_and_the_human_command_are_explicit_requests() -> None:
    chat, _desk = handed_over()
    assert (await chat.one("", command="human")).outcome == "escalated"
    assert chat.escalations.all[0].reasons[0].detail == "/human"
    pressed, _ = handed_over(user="u2")
    assert (await pressed.press("intent:human_handoff", "Talk to a person")).outcome == "escalated"
    assert pressed.escalations.all[0].reasons[0].detail == "pressed 'Talk to a person'"


async def test_the_assignee_transfers_from_the_card_or_puts_it_back_in_the_queue() -> None:
    chat, desk = handed_over()
    await chat.one("talk to a human")
    await desk.click("UANN", "handoff:claim:1")
    [card] = [m for m in chat.escalations.queued if m.card is not None][-1:]
    assert [b.value for b in card.buttons if b.picks_user] == ["handoff:transfer:1"]
    [refused] = await desk.click("UANN", "handoff:transfer:1:UEVE")
    assert "not a support agent" in refused.text
    assert await desk.click("UANN", "handoff:transfer:1:UBOB") == []
    esc = chat.escalations.all[0]
    assert esc.assignee is not None and esc.assignee.display == "Bob"
    told = chat.escalations.queued_to(chat.session.key.as_str())[-1]
    assert told.text == "Your conversation has been passed to Bob, who will reply here."
    assert await desk.click("UBOB", "handoff:unassign:1") == []
    assert chat.escalations.all[0].status == Status.PENDING
    call = chat.escalations.queued_to("slack:CSUP:esc-1")[-1]
    assert call.text.startswith("Back in the queue: Bob unassigned escalation #1")

"""After an agent resolves: the survey, its comment, and a supplier who comes back before it closes."""

from __future__ import annotations

from dialogue.handoff.model import Status
from dialogue.settings import HandoffSettings
from tests.fakes.conversation import Conversation
from tests.fakes.desk import DESK, AgentDesk


async def resolved(chat: Conversation, desk: AgentDesk) -> None:
    await chat.one("talk to a human")
    await desk.click("UANN", "handoff:claim:1")
    await desk.click("UANN", "handoff:resolve:1")


def survey_buttons(chat: Conversation) -> list[str]:
    asked = [m for m in chat.escalations.queued_to(chat.session.key.as_str()) if m.buttons]
    return [b.value for b in asked[-1].buttons] if asked else []


async def test_a_resolution_asks_for_a_rating_once_and_keeps_the_comment() -> None:
    chat = Conversation(desk=DESK)
    await resolved(chat, AgentDesk(chat))
    assert survey_buttons(chat) == [f"csat:1:{n}" for n in range(1, 6)]
    thanks = await chat.one("", callback_data="csat:1:4")
    assert thanks.text == "Thank you for rating us 4/5. Anything to add? Just write it here."
    assert (
        await chat.one("Ann was quick and kind")
    ).text == "Thank you for your feedback, it goes to the team."
    again = await chat.one("", callback_data="csat:1:1")  # a late tap on the old keyboard
    assert again.text == "Thank you, your rating is already recorded."
    [esc] = chat.escalations.all
    assert (esc.csat_rating, esc.csat_comment) == (4, "Ann was quick and kind")
    card = chat.escalations.queued_to("slack:CSUP:esc-1")[-1].card
    assert card is not None and ("Rating", "4/5 (Ann was quick and kind)") in card.fields


async def test_a_question_after_the_rating_is_answered_not_kept_as_a_comment() -> None:
    chat = Conversation(desk=DESK)
    await resolved(chat, AgentDesk(chat))
    await chat.one("", callback_data="csat:1:5")
    assert (await chat.one("where is PO-1001?")).outcome == "order_shipped"
    assert chat.escalations.all[0].csat_comment == ""


async def test_no_survey_after_return_or_withdrawal_and_one_per_cooldown() -> None:
    returned = Conversation(desk=DESK)
    desk = AgentDesk(returned)
    await returned.one("talk to a human")
    await desk.click("UANN", "handoff:claim:1")
    await desk.click("UANN", "handoff:return:1")
    assert survey_buttons(returned) == []
    withdrawn = Conversation(desk=DESK, user="u2")
    await withdrawn.one("talk to a human")
    await withdrawn.say("cancel")
    assert survey_buttons(withdrawn) == []
    twice = Conversation(desk=DESK, user="u3", handoff=HandoffSettings(auto_close_hours=1))
    desk = AgentDesk(twice)
    await resolved(twice, desk)
    twice.clock.advance(hours=2)  # closed by now: a new request opens a new escalation
    await twice.one("talk to a human again please")
    await desk.click("UANN", "handoff:claim:2")
    await desk.click("UANN", "handoff:resolve:2")
    assert twice.escalations.all[1].csat_asked_at is None  # the same supplier, within 24 hours


async def test_a_message_the_bot_cannot_answer_goes_back_to_the_agent_who_resolved() -> None:
    chat = Conversation(desk=DESK, handoff=HandoffSettings(csat=False))
    await resolved(chat, AgentDesk(chat))
    assert (await chat.one("where is PO-1001?")).outcome == "order_shipped"  # the bot can answer this
    mirrored = await chat.say("the replacement box is crushed too")  # it cannot answer this one
    assert [m.outcome for m in mirrored] == ["relay_in"]
    [esc] = chat.escalations.all
    assert esc.status == Status.ASSIGNED and esc.assignee is not None and esc.assignee.display == "Ann"
    told = chat.escalations.queued_to(chat.session.key.as_str())[-1]
    assert told.text == "I have passed your message to Ann, who helped you before."
    assert chat.session.held


async def test_after_the_auto_close_time_the_bot_answers_everything_again() -> None:
    chat = Conversation(desk=DESK, handoff=HandoffSettings(csat=False, auto_close_hours=2))
    await resolved(chat, AgentDesk(chat))
    chat.clock.advance(hours=3)
    assert (await chat.one("blorp wibble")).outcome == "out_of_scope"
    assert chat.escalations.all[0].status == Status.RESOLVED


async def test_a_rating_typed_instead_of_tapped_counts_once() -> None:
    chat = Conversation(desk=DESK)
    await resolved(chat, AgentDesk(chat))
    thanks = await chat.one("4/5")
    assert thanks.text == "Thank you for rating us 4/5. Anything to add? Just write it here."
    assert (await chat.one("quick and helpful")).text == "Thank you for your feedback, it goes to the team."
    [esc] = chat.escalations.all
    assert (esc.csat_rating, esc.csat_comment) == (4, "quick and helpful")
    later = await chat.one("5")  # rated already: just a number now, for the bot
    assert later.text != "Thank you, your rating is already recorded." and esc.csat_rating == 4


async def test_a_number_is_not_a_rating_when_no_survey_was_sent() -> None:
    chat = Conversation(desk=DESK, handoff=HandoffSettings(csat=False))
    await resolved(chat, AgentDesk(chat))
    reply = await chat.one("3")
    assert "rating" not in reply.text and chat.escalations.all[0].csat_rating is None

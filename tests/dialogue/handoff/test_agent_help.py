"""Help for agents from a language model: the card's summary comes after the card, a suggested reply is
shown to the agent alone and sent only by them, and translation never changes a number on the way."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dialogue.handoff.agent_help import REFUSED, TRANSLATED_IN
from dialogue.handoff.card import SUMMARY_TITLE
from dialogue.llm.gate import ModelGate
from dialogue.llm.jsonout import checked_json
from dialogue.llm.model import ChatMessage
from dialogue.messages import OutgoingMessage
from dialogue.settings import HandoffSettings
from tests.fakes.conversation import Conversation
from tests.fakes.desk import DESK, AgentDesk

CARD = "1700000000.000100"
SUMMARY = [
    "The supplier asks where PO-1001 is.",
    "The card shows PO-1001 as shipped.",
    "They want a person to confirm the delivery.",
]
DRAFT = "Hello Li, PO-1001 has shipped; I will confirm the delivery date with the carrier today."
Answer = Callable[[str, Sequence[ChatMessage]], str]


class Model:
    """A TextModel that answers by what it is asked (the system prompt), slowly if told, and counts calls."""

    name = "routed"

    def __init__(self, answer: Answer, *, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.calls: list[str] = []

    async def complete_json(
        self, use: str, messages: Sequence[ChatMessage], schema: Mapping[str, Any]
    ) -> dict[str, Any]:
        return checked_json(await self.complete_text(use, messages), schema)

    async def complete_text(self, use: str, messages: Sequence[ChatMessage]) -> str:
        self.calls.append(use)
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.answer(messages[0].content, messages)


def helpful(
    summary: list[str] = SUMMARY, draft: str = DRAFT, translations: Mapping[str, str] | None = None
) -> Answer:
    def answer(system: str, messages: Sequence[ChatMessage]) -> str:
        if system.startswith("Summarise"):
            return json.dumps({"lines": summary})
        if system.startswith("You draft"):
            return draft
        return (translations or {}).get(messages[-1].content, "?")

    return answer


def desk_with(model: Model, *uses: str, agent_language: str = "") -> tuple[Conversation, AgentDesk]:
    gate = ModelGate(model, uses=uses, timeout_seconds=1)
    settings = HandoffSettings(agent_language=agent_language)
    chat = Conversation(desk=DESK, handoff=settings, llm=gate)
    return chat, AgentDesk(chat)


def cards(chat: Conversation) -> list[OutgoingMessage]:
    return [m for m in chat.escalations.queued if m.kind == "card"]


def to_supplier(chat: Conversation) -> list[OutgoingMessage]:
    return chat.escalations.queued_to(chat.session.key.as_str())


async def test_the_summary_follows_the_card_and_never_delays_the_suppliers_notice() -> None:
    model = Model(helpful(), delay=0.3)
    chat, desk = desk_with(model, "assist")
    loop = asyncio.get_running_loop()
    started = loop.time()
    told = await chat.one("I want to talk to a real person about PO-1001")
    assert told.outcome == "escalated" and loop.time() - started < 0.2  # the model is still thinking
    [first] = cards(chat)
    assert first.card is not None and SUMMARY_TITLE not in "\n".join(first.card.sections)

    await chat.handoff.help.settle()
    [_, updated] = cards(chat)
    assert updated.card is not None
    assert updated.card.sections[0] == SUMMARY_TITLE + "\n" + "\n".join(f"• {line}" for line in SUMMARY)
    assert [e.kind for e in await chat.escalations.events(1)] == ["created", "summary"]

    # later updates of the card (a claim) keep it
    await desk.click("UANN", "handoff:claim:1")
    assert SUMMARY_TITLE in cards(chat)[-1].card.sections[0]  # type: ignore[union-attr]


async def test_a_summary_with_an_amount_from_nowhere_is_not_shown() -> None:
    invented = [SUMMARY[0], "PO-1001 is worth USD 99,000.00.", SUMMARY[2]]
    chat, _ = desk_with(Model(helpful(summary=invented)), "assist")
    await chat.one("I want to talk to a real person about PO-1001")
    await chat.handoff.help.settle()
    assert len(cards(chat)) == 1 and [e.kind for e in await chat.escalations.events(1)] == ["created"]


async def test_a_suggested_reply_is_shown_to_the_clicker_alone_and_sent_only_when_they_send_it() -> None:
    model = Model(helpful())
    chat, desk = desk_with(model, "assist")
    await chat.one("I want to talk to a real person about PO-1001")
    await chat.handoff.help.settle()
    chat.escalations.card_posted(1, CARD)
    await desk.click("UANN", "handoff:claim:1")
    assert [b.label for b in cards(chat)[-1].buttons][-1] == "Suggest a reply"
    before = len(to_supplier(chat))

    [draft] = await desk.click("UANN", "handoff:suggest:1")
    assert draft.visible_to == "UANN" and draft.conversation.thread_id == "esc-1"
    assert draft.text.endswith("\n" + DRAFT) and "nothing was sent" in draft.text
    await asyncio.sleep(0)
    assert len(to_supplier(chat)) == before  # a draft reaches nobody by itself
    assert "agent_message" not in [e.kind for e in await chat.escalations.events(1)]

    # the agent edits it and writes it in the thread: now, and only now, it reaches the supplier
    edited = DRAFT.replace("today", "this afternoon")
    assert await desk.says("UANN", edited, thread=CARD) == []
    assert [m.text for m in to_supplier(chat)[before:]] == [edited]


async def test_without_assist_there_is_no_suggest_button_and_no_call() -> None:
    model = Model(helpful())
    chat, desk = desk_with(model, "listing")
    await chat.one("I want to talk to a real person about PO-1001")
    await chat.handoff.help.settle()
    await desk.click("UANN", "handoff:claim:1")
    assert "handoff:suggest:1" not in [b.value for b in cards(chat)[-1].buttons]
    assert len(cards(chat)) == 2 and model.calls == []


async def test_a_chinese_supplier_and_an_english_agent_read_each_other() -> None:
    reply = "PO-1001 shipped on 2026-11-20; delivery is due in 3 days."
    asked = "PO-1001 的货到哪里了？我等了5天。"
    translations = {
        asked: "Where is the shipment of PO-1001? I have waited 5 days.",
        reply: "PO-1001 已于 2026-11-20 发货，预计 3 天内送达。",
    }
    model = Model(helpful(translations=translations))
    chat, desk = desk_with(model, "translate", agent_language="en")
    await chat.one("我要人工客服")
    chat.escalations.card_posted(1, CARD)
    await desk.click("UANN", "handoff:claim:1")

    [mirrored] = await chat.say("PO-1001 的货到哪里了？我等了5天。")
    assert mirrored.text == (
        "**Li Wei**: PO-1001 的货到哪里了？我等了5天。\n"
        "↳ English: Where is the shipment of PO-1001? I have waited 5 days."
    )

    before = len(to_supplier(chat))
    assert await desk.says("UANN", reply, thread=CARD) == []
    [relay] = to_supplier(chat)[before:]
    assert relay.text == "PO-1001 已于 2026-11-20 发货，预计 3 天内送达。"
    assert relay.metadata["original"] == reply
    [sent] = [m for m in chat.escalations.queued if m.kind == "desk"][-1:]
    assert sent.text == "Sent in Chinese: PO-1001 已于 2026-11-20 发货，预计 3 天内送达。"
    events = {e.kind: e.data for e in await chat.escalations.events(1)}
    assert events["agent_message"]["text"] == reply and events["agent_message"]["sent"] == relay.text
    assert events[TRANSLATED_IN]["translation"].startswith("Where is the shipment")


async def test_a_translation_that_changes_a_number_is_not_sent_and_the_original_can_be() -> None:
    reply = "PO-1001 will arrive in 3 days."
    model = Model(helpful(translations={reply: "PO-1001 将在 5 天内到达。"}))
    chat, desk = desk_with(model, "translate", agent_language="en")
    await chat.one("我要人工客服")
    chat.escalations.card_posted(1, CARD)
    await desk.click("UANN", "handoff:claim:1")
    before = len(to_supplier(chat))

    [why] = await desk.says("UANN", reply, thread=CARD)
    assert why.visible_to == "UANN" and why.conversation.thread_id == "esc-1"
    assert why.text == (
        "Not sent: the Chinese translation dropped, changed or added a number (3, 5), so nothing went to "
        "the supplier; to send your words as written, send them again starting with `original:`."
    )
    assert len(to_supplier(chat)) == before
    refused = [e for e in await chat.escalations.events(1) if e.kind == REFUSED]
    assert refused[0].data == {"text": reply, "reason": "changed_number", "to": "zh"}

    assert await desk.says("UANN", "original: " + reply, thread=CARD) == []
    [relay] = to_supplier(chat)[before:]
    assert relay.text == reply and "original" not in relay.metadata


async def test_a_model_that_does_not_answer_sends_nothing_either() -> None:
    model = Model(helpful(), delay=5)
    gate = ModelGate(model, uses=("translate",), timeout_seconds=0.1)
    chat = Conversation(desk=DESK, handoff=HandoffSettings(agent_language="en"), llm=gate)
    desk = AgentDesk(chat)
    await chat.one("我要人工客服")
    chat.escalations.card_posted(1, CARD)
    await desk.click("UANN", "handoff:claim:1")
    before = len(to_supplier(chat))
    [why] = await desk.says("UANN", "We are on it.", thread=CARD)
    assert "did not come" in why.text and "`original:`" in why.text
    assert len(to_supplier(chat)) == before


async def test_without_an_agent_language_nothing_is_translated() -> None:
    model = Model(helpful())
    chat, desk = desk_with(model, "translate")
    await chat.one("我要人工客服")
    chat.escalations.card_posted(1, CARD)
    await desk.click("UANN", "handoff:claim:1")
    [mirrored] = await chat.say("PO-1001 的货到哪里了？")
    assert mirrored.text == "**Li Wei**: PO-1001 的货到哪里了？"
    await desk.says("UANN", "original: hello", thread=CARD)
    assert to_supplier(chat)[-1].text == "original: hello" and model.calls == []


async def test_an_edit_of_a_relayed_reply_is_translated_too() -> None:
    model = Model(helpful(translations={"It arrives in 4 days.": "4 天内送达。"}))
    chat, desk = desk_with(model, "translate", agent_language="en")
    await chat.one("我要人工客服")
    await desk.click("UANN", "handoff:claim:1")
    agent = chat.escalations.all[0].assignee
    assert agent is not None
    done = await chat.handoff.follow_edit(
        1, agent, target="tg-9", text="It arrives in 4 days.", source_ref="s"
    )
    assert done.ok
    edit = to_supplier(chat)[-1]
    assert (edit.edit_of, edit.text) == ("tg-9", "4 天内送达。")
    refused = await chat.handoff.follow_edit(1, agent, target="tg-9", text="Now 6 days.", source_ref="s")
    assert not refused.ok and to_supplier(chat)[-1] is edit

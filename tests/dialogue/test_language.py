"""The conversation's reply language, decided once per turn (dialogue.language)."""

from __future__ import annotations

from dialogue.language import language_of
from dialogue.manager import Policy
from dialogue.settings import DialogueSettings
from tests.fakes.conversation import Conversation


def chinese_by_default() -> Conversation:
    return Conversation(policy=Policy(dialogue=DialogueSettings(default_language="zh")))


async def test_a_new_conversation_with_nothing_to_go_on_gets_the_default() -> None:
    assert (await chinese_by_default().one("1001")).language == "zh"
    assert (await chinese_by_default().one("ok")).language == "zh"
    assert (await Conversation().one("1001")).language == "en"


async def test_a_message_with_words_sets_the_language_whatever_the_default() -> None:
    chat = chinese_by_default()
    assert (await chat.one("where is PO-1001?")).language == "en"
    assert (await chat.one("1002")).language == "en"  # kept: the conversation has shown its language
    assert (await chat.one("PO-1002 到哪了")).language == "zh"


async def test_bare_yes_no_and_numbers_keep_the_language() -> None:
    chat = Conversation()
    assert (await chat.one("我的库存")).language == "zh"
    assert (await chat.one("ok")).language == "zh"
    assert (await chat.one("450")).language == "zh"
    assert (await chat.one("谢谢")).language == "zh"
    assert (await chat.one("thanks")).language == "en"


async def test_a_chinese_yes_sets_chinese() -> None:
    chat = Conversation()
    await chat.one("set AB-1020 to 450 units")
    done = await chat.one("是")
    assert done.outcome == "stock_updated" and done.language == "zh"


async def test_a_neutral_answer_to_a_form_keeps_the_language_of_the_question() -> None:
    chat = Conversation()
    ask = await chat.one("我要更新库存")
    assert ask.outcome == "stock_ask_sku_qty" and ask.language == "zh"
    confirm = await chat.one("AB-1020 450")  # letters, but only in a code: no language
    assert confirm.outcome == "stock_confirm_update" and confirm.language == "zh"


def test_language_of_a_lone_text() -> None:
    assert language_of("where is my order?", default="zh") == "en"
    assert language_of("订单到哪了", default="en") == "zh"
    assert language_of("1001", default="zh") == "zh"
    assert language_of("ok", default="zh") == "zh"
    assert language_of("", default="en") == "en"

"""What each kind of update becomes in the inbox: groups, files, commands, button presses, edits."""

from __future__ import annotations

import pytest

from dialogue.messages import ChannelKind
from tests.adapters.telegram.support import CHAT, Harness, MemoryInbox, PendingEdits, build_adapter, key
from tests.fakes.telegram_api import (
    FakeTelegramAPI,
    callback_update,
    document_update,
    edited_update,
    photo_update,
    text_update,
)


async def test_group_message_is_ignored(harness: Harness) -> None:
    response = await harness.post(
        text_update(20, "hi all", chat_id=-100200, user_id=5001, chat_type="supergroup")
    )
    assert response.status_code == 200
    assert harness.inbox.calls == []
    response = await harness.post(text_update(21, "hi", chat_id=-300, user_id=5001, chat_type="group"))
    assert response.status_code == 200
    assert harness.inbox.calls == []


async def test_group_message_is_stored_when_groups_are_allowed(telegram_api: FakeTelegramAPI) -> None:
    inbox = MemoryInbox()
    adapter = build_adapter(telegram_api, inbox, PendingEdits(), allow_groups=True)
    from telegram import Update

    from adapters.telegram import translate_update

    update = Update.de_json(
        text_update(22, "hi", chat_id=-100200, user_id=5001, chat_type="supergroup"), None
    )
    translation = translate_update(
        update, allow_groups=True, bot_username="opsbot_test_bot", now=adapter._clock()
    )
    assert translation.message is not None
    assert translation.message.channel_kind is ChannelKind.GROUP
    assert translation.message.conversation.chat_id == "-100200"
    assert translation.message.sender.id == "5001"


async def test_photo_is_stored_as_attachment(harness: Harness) -> None:
    assert (await harness.post(photo_update(30, caption="damaged carton"))).status_code == 200
    assert (await harness.post(photo_update(31))).status_code == 200
    with_caption, bare = harness.inbox.stored["30"], harness.inbox.stored["31"]
    assert len(with_caption.attachments) == 1
    attachment = with_caption.attachments[0]
    assert (attachment.kind, attachment.file_id, attachment.caption) == (
        "photo",
        "large-30",
        "damaged carton",
    )
    assert with_caption.text == "damaged carton"
    assert bare.text == "" and bare.attachments[0].file_id == "large-31"


async def test_document_is_stored_as_attachment(harness: Harness) -> None:
    assert (await harness.post(document_update(32, file_name="inv-77.pdf"))).status_code == 200
    attachment = harness.inbox.stored["32"].attachments[0]
    assert (attachment.kind, attachment.file_id, attachment.file_name, attachment.mime_type) == (
        "document",
        "doc-32",
        "inv-77.pdf",
        "application/pdf",
    )


async def test_a_sticker_is_stored_as_what_it_is(harness: Harness) -> None:
    update = text_update(33, "x")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "st",
        "file_unique_id": "u",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    assert (await harness.post(update)).status_code == 200
    [attachment] = harness.inbox.stored["33"].attachments
    assert (attachment.kind, attachment.file_id, attachment.platform) == ("sticker", "st", "telegram")
    assert harness.inbox.stored["33"].text == ""


@pytest.mark.parametrize(
    ("text", "command", "args"),
    [
        ("/start ABC123", "start", "ABC123"),
        ("/start", "start", ""),
        ("/help", "help", ""),
        ("/human please", "human", "please"),
        ("/HELP@opsbot_test_bot", "help", ""),
        ("/help@some_other_bot", "", ""),
        ("hello /help", "", ""),
    ],
)
async def test_commands(harness: Harness, text: str, command: str, args: str) -> None:
    assert (await harness.post(text_update(40, text))).status_code == 200
    message = harness.inbox.stored["40"]
    assert (message.command, message.command_args, message.text) == (command, args, text)


async def test_callback_query_is_stored_then_answered(harness: Harness) -> None:
    update = callback_update(50, "confirm:yes", query_id="q-50", message_id=901)
    assert (await harness.post(update)).status_code == 200
    message = harness.inbox.stored["50"]
    assert (message.callback_data, message.callback_id, message.message_id) == ("confirm:yes", "q-50", "901")
    assert message.conversation == key() and message.sender.id == str(CHAT)
    await harness.api.until(lambda: bool(harness.api.ok_calls("answerCallbackQuery")))
    answer = harness.api.ok_calls("answerCallbackQuery")[0]
    assert answer.params["callback_query_id"] == "q-50"
    assert answer.at >= harness.inbox.stored_at["50"]  # never before the inbox write


async def test_duplicate_callback_is_answered_again(harness: Harness) -> None:
    update = callback_update(51, "csat:5", query_id="q-51")
    await harness.post(update)
    await harness.post(update)
    await harness.api.until(lambda: len(harness.api.calls("answerCallbackQuery")) == 2)
    assert list(harness.inbox.stored) == ["51"]
    assert harness.api.answered_callbacks == ["q-51", "q-51"]


async def test_callback_from_ignored_group_is_answered_not_stored(harness: Harness) -> None:
    await harness.post(
        callback_update(52, "confirm:yes", chat_id=-100200, chat_type="supergroup", query_id="q-52")
    )
    await harness.api.until(lambda: harness.api.answered_callbacks == ["q-52"])
    assert harness.inbox.stored == {}


async def test_failed_callback_answer_is_only_logged(harness: Harness) -> None:
    harness.api.fail_next("answerCallbackQuery", 400, description="Bad Request: query is too old")
    assert (await harness.post(callback_update(53, "confirm:no"))).status_code == 200
    await harness.api.until(lambda: len(harness.api.calls("answerCallbackQuery")) == 1)
    assert "53" in harness.inbox.stored


async def test_edit_of_pending_message_is_applied(harness: Harness) -> None:
    harness.edits.pending.add("60")
    assert (await harness.post(edited_update(61, 60, "PO-1002 not 1001"))).status_code == 200
    assert harness.edits.applied == [("60", "telegram:5001", "PO-1002 not 1001")]
    assert harness.inbox.stored == {}


async def test_edit_of_answered_message_is_a_new_message(harness: Harness) -> None:
    assert (await harness.post(edited_update(62, 60, "actually PO-1003"))).status_code == 200
    message = harness.inbox.stored["62"]
    assert message.edited and message.edited_message_id == "60" and message.message_id == "60"
    assert message.text == "actually PO-1003" and message.external_id == "62"
    assert not message.command

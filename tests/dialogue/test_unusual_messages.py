"""Messages that are not plain questions: files with captions, stickers and places, stale buttons."""

from __future__ import annotations

from dialogue.messages import Attachment
from tests.fakes.conversation import Conversation

PRICE_LIST = Attachment(
    "document", "f1", file_name="price-list.pdf", mime_type="application/pdf", platform="telegram"
)


async def test_a_file_with_a_caption_is_acknowledged_and_its_caption_understood() -> None:
    chat = Conversation()
    replies = await chat.say("here is our price list, and where is PO-1001?", attachments=(PRICE_LIST,))
    assert [r.outcome for r in replies] == ["attachment_received", "order_shipped"]
    assert replies[0].facts == {"file_name": "price-list.pdf"}


async def test_a_file_with_an_unclear_caption_is_only_acknowledged() -> None:
    chat = Conversation()
    replies = await chat.say("here is our price list", attachments=(PRICE_LIST,))
    assert [r.outcome for r in replies] == ["attachment_received"]
    assert chat.session.state.get("fallbacks", 0) == 0  # a caption is no misunderstanding


async def test_a_caption_that_asks_the_handbook_is_answered() -> None:
    chat = Conversation()
    replies = await chat.say("where do I submit a new price list?", attachments=(PRICE_LIST,))
    assert [r.outcome for r in replies] == ["attachment_received", "faq_answer"]


async def test_a_sticker_or_a_location_gets_told_what_the_bot_can_take() -> None:
    chat = Conversation()
    sticker = await chat.one("", attachments=(Attachment("sticker", "s1", platform="telegram"),))
    assert sticker.outcome == "unsupported_attachment" and sticker.facts == {"attachment": "sticker"}
    chat.session.language = "zh"
    place = await chat.one("", attachments=(Attachment("location", "", platform="telegram"),))
    assert place.facts == {"attachment": "位置"}


async def test_a_stale_or_foreign_button_has_expired() -> None:
    chat = Conversation()
    assert (await chat.press("confirm:yes", "Yes")).outcome == "button_expired"  # no question is open
    assert (await chat.press("poll:42:b")).outcome == "button_expired"  # not one of ours
    assert (await chat.press("intent:no_such_intent")).outcome == "button_expired"


async def test_a_clarifying_choice_runs_the_chosen_intent_on_the_first_message() -> None:
    chat = Conversation()
    chat.session.state["clarified_text"] = "PO-1001 and INV-2002"
    answer = await chat.press("intent:order_status", "Order status")
    assert answer.outcome == "order_shipped" and answer.facts["order_id"] == "PO-1001"

"""Every kind of Telegram update, fed to the real webhook: always a 200, and stored, ignored or rejected.

Stored: what a supplier says in the private chat, whatever it is (text, a file, a sticker, a poll), so
that the core can answer it. Ignored: talk in groups (not enabled). Rejected (counted, not stored):
update kinds the bot does not handle, and updates that do not parse.
"""

from __future__ import annotations

import json

import pytest

from tests.adapters.telegram.support import Harness
from tests.adapters.zoo import Payload, payload, payload_files, payload_params

# name -> ("stored", attachment kind or "text" / "callback" / "edit") | ("rejected", why) | ("ignored", "")
EXPECTED: dict[str, tuple[str, str]] = {
    "tg_animation": ("stored", "animation"),
    "tg_audio": ("stored", "audio"),
    "tg_business_connection": ("rejected", "unsupported"),
    "tg_business_message": ("rejected", "unsupported"),
    "tg_callback_query_inline": ("rejected", "unsupported"),
    "tg_callback_query_message": ("stored", "callback"),
    "tg_channel_post": ("rejected", "unsupported"),
    "tg_chat_boost": ("rejected", "unsupported"),
    "tg_chat_join_request": ("rejected", "unsupported"),
    "tg_chat_member": ("rejected", "unsupported"),
    "tg_chosen_inline_result": ("rejected", "unsupported"),
    "tg_contact": ("stored", "contact"),
    "tg_deleted_business_messages": ("rejected", "unsupported"),
    "tg_dice": ("stored", "dice"),
    "tg_doc_start_legacy": ("rejected", "unparseable"),  # the docs' old sample: no chat.type, no is_bot
    "tg_document": ("stored", "document"),
    "tg_document_caption_zh": ("stored", "document"),
    "tg_edited_channel_post": ("rejected", "unsupported"),
    "tg_edited_message": ("stored", "edit"),
    "tg_entities": ("stored", "text"),
    "tg_forward_origin": ("stored", "text"),
    "tg_forwarded_channel": ("stored", "text"),
    "tg_forwarded_user": ("stored", "text"),
    "tg_future_content": ("stored", "gift_card"),
    "tg_group_reply_entities": ("ignored", ""),
    "tg_group_story": ("ignored", ""),
    "tg_group_text": ("ignored", ""),
    "tg_inline_query": ("rejected", "unsupported"),
    "tg_location": ("stored", "location"),
    "tg_message_reaction": ("rejected", "unsupported"),
    "tg_message_reaction_count": ("rejected", "unsupported"),
    "tg_message_reaction_private": ("rejected", "unsupported"),
    "tg_my_chat_member_blocked": ("rejected", "unsupported"),
    "tg_photo_caption": ("stored", "photo"),
    "tg_pinned_message_private": ("ignored", ""),
    "tg_poll_answer": ("rejected", "unsupported"),
    "tg_poll_message": ("stored", "poll"),
    "tg_poll_update": ("rejected", "unsupported"),
    "tg_pre_checkout_query": ("rejected", "unsupported"),
    "tg_purchased_paid_media": ("rejected", "unsupported"),
    "tg_removed_chat_boost": ("rejected", "unsupported"),
    "tg_reply_to_message": ("stored", "text"),
    "tg_shipping_query": ("rejected", "unsupported"),
    "tg_sticker": ("stored", "sticker"),
    "tg_text_emoji_cyrillic": ("stored", "text"),
    "tg_text_private": ("stored", "text"),
    "tg_unknown_update_type": ("rejected", "unsupported"),
    "tg_venue": ("stored", "venue"),
    "tg_video_caption": ("stored", "video"),
    "tg_video_note": ("stored", "video_note"),
    "tg_voice": ("stored", "voice"),
}


def test_every_payload_has_an_expected_outcome() -> None:
    names = {path.name.removesuffix(".json") for path in payload_files("telegram")}
    assert names <= set(EXPECTED), f"classify these payloads: {sorted(names - set(EXPECTED))}"


@pytest.mark.parametrize("sample", payload_params("telegram"))
async def test_payload_is_acknowledged_and_handled_as_expected(
    quick_harness: Harness, sample: Payload
) -> None:
    harness = quick_harness
    outcome, detail = EXPECTED[sample.name]
    body = sample.body
    response = await harness.post(None, raw=body)
    assert response.status_code == 200
    update_id = str(json.loads(body)["update_id"])
    stored = harness.inbox.stored.get(update_id)
    if outcome == "stored":
        assert stored is not None and harness.rejected.updates == []
        if detail == "callback":
            assert stored.callback_data and stored.callback_id
        elif detail == "edit":
            assert stored.edited and stored.edited_message_id
        elif detail == "text":
            assert stored.text.strip() and stored.attachments == ()
        else:
            assert [a.kind for a in stored.attachments] == [detail]
            assert all(a.platform == "telegram" for a in stored.attachments)
    elif outcome == "rejected":
        assert stored is None and harness.inbox.calls == []
        assert harness.rejected.reasons == [detail]
    else:
        assert harness.inbox.calls == [] and harness.rejected.updates == []


async def test_a_caption_stays_the_text_beside_its_file(harness: Harness) -> None:
    await harness.post(None, raw=payload("telegram", "tg_document_caption_zh").body)
    [message] = harness.inbox.stored.values()
    assert message.text == "发票 INV-2024-7 请查收"
    [doc] = message.attachments
    assert (doc.file_name, doc.mime_type, doc.size) == ("INV-2024-7.pdf", "application/pdf", 182044)


async def test_an_inline_button_press_is_still_answered(harness: Harness) -> None:
    await harness.post(None, raw=payload("telegram", "tg_callback_query_inline").body)
    await harness.api.until(lambda: harness.api.answered_callbacks == ["4382bfdwdsb323b2d9"])

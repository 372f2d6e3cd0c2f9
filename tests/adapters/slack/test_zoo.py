"""Every Slack event and subtype the app subscribes to, and interactivity, fed signed to /slack/events.

Stored: what people say to the bot (mentions, DMs, support threads, files, its own buttons) and, in
the support channel, edits and deletions of thread replies. Ignored: other talk and bots. Rejected
(200 and counted, never retried by Slack): event types and interactions the bot does not handle.
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.adapters.slack.support import Rejections, post_signed, request_body
from tests.adapters.zoo import Payload, payload, payload_files, payload_params
from tests.fakes.slack_api import MemoryInbox

Guarded = tuple[httpx.AsyncClient, MemoryInbox, Rejections]

# name -> ("stored", what) | ("rejected", "") | ("ignored", "")
# (what: text, callback, edit, delete or a file kind)
EXPECTED: dict[str, tuple[str, str]] = {
    "slack_app_home_opened": ("rejected", ""),
    "slack_app_mention": ("stored", "text"),
    "slack_app_rate_limited": ("rejected", ""),
    "slack_app_uninstalled": ("rejected", ""),
    "slack_block_actions_foreign.form": ("rejected", ""),
    "slack_block_actions_ours.form": ("stored", "callback"),
    "slack_bot_message_classic": ("ignored", ""),
    "slack_channel_join_support": ("ignored", ""),
    "slack_file_share": ("ignored", ""),  # in a channel, no mention
    "slack_file_share_im": ("stored", "photo"),
    "slack_file_share_support_thread": ("stored", "document"),
    "slack_interactive_message.form": ("rejected", ""),
    "slack_me_message_im": ("stored", "text"),
    "slack_member_joined_channel": ("rejected", ""),
    "slack_member_joined_channel_self": ("rejected", ""),
    "slack_message_changed": ("ignored", ""),  # not the support channel
    "slack_message_changed_im": ("ignored", ""),
    "slack_message_changed_support_thread": ("stored", "edit"),
    "slack_message_changed_support_unfurl": ("ignored", ""),  # the words did not change
    "slack_message_channels": ("ignored", ""),
    "slack_message_deleted": ("ignored", ""),
    "slack_message_deleted_support_by_bot": ("ignored", ""),
    "slack_message_deleted_support_thread": ("stored", "delete"),
    "slack_message_groups_mention": ("stored", "text"),
    "slack_message_im": ("stored", "text"),
    "slack_own_echo_im": ("ignored", ""),
    "slack_own_echo_thread_mention": ("ignored", ""),
    "slack_reaction_added": ("rejected", ""),
    "slack_shortcut.form": ("rejected", ""),
    "slack_thread_broadcast": ("ignored", ""),
    "slack_thread_broadcast_mention": ("stored", "text"),
    "slack_tokens_revoked": ("rejected", ""),
    "slack_unknown_event": ("rejected", ""),
    "slack_view_submission.form": ("rejected", ""),
}


def test_every_payload_has_an_expected_outcome() -> None:
    names = {path.name.removesuffix(".json") for path in payload_files("slack")}
    assert names <= set(EXPECTED), f"classify these payloads: {sorted(names - set(EXPECTED))}"


@pytest.mark.parametrize("sample", payload_params("slack"))
async def test_payload_is_acknowledged_and_handled_as_expected(guarded: Guarded, sample: Payload) -> None:
    client, inbox, rejections = guarded
    outcome, detail = EXPECTED[sample.name]
    body, content_type = request_body(sample)
    response = await post_signed(client, body, content_type)
    assert response.status_code == 200
    if outcome == "stored":
        [message] = inbox.messages
        assert rejections.updates == []
        if detail == "callback":
            assert message.callback_data and message.callback_id.startswith("opsbot_btn_")
        elif detail == "edit":
            assert message.edited and not message.deleted and message.edited_message_id
        elif detail == "delete":
            assert message.deleted and message.edited_message_id and message.text == ""
        elif detail == "text":
            assert message.text and message.attachments == ()
        else:
            assert [a.kind for a in message.attachments] == [detail]
    elif outcome == "rejected":
        assert inbox.calls == 0
        assert rejections.reasons == ["unsupported"]
    else:
        assert inbox.calls == 0 and rejections.updates == []


async def test_an_agent_edit_in_a_support_thread_follows_the_relayed_message(guarded: Guarded) -> None:
    client, inbox, _ = guarded
    await post_signed(client, *request_body(payload("slack", "slack_message_changed_support_thread")))
    [edit] = inbox.messages
    assert (edit.conversation.chat_id, edit.conversation.thread_id) == ("CSUPPORT", "1700000000.000100")
    assert (edit.sender.id, edit.edited_message_id) == ("UAGENT", "1700000050.000200")
    assert edit.text == "We will ship *tomorrow* :truck:"
    assert edit.rich_text == "We will ship **tomorrow** 🚚"


async def test_an_agent_deletion_names_the_deleted_message(guarded: Guarded) -> None:
    client, inbox, _ = guarded
    await post_signed(client, *request_body(payload("slack", "slack_message_deleted_support_thread")))
    [deletion] = inbox.messages
    assert deletion.deleted and deletion.edited_message_id == "1700000050.000200"
    assert deletion.sender.id == "UAGENT" and deletion.conversation.thread_id == "1700000000.000100"


async def test_a_shared_file_can_be_fetched_from_its_download_url(guarded: Guarded) -> None:
    client, inbox, _ = guarded
    await post_signed(client, *request_body(payload("slack", "slack_file_share_im")))
    [message] = inbox.messages
    [file] = message.attachments
    raw = json.loads(payload("slack", "slack_file_share_im").body)["event"]["files"][0]
    assert file.url == raw["url_private_download"] and file.size == raw["size"]
    assert (file.platform, file.file_id, file.mime_type) == ("slack", raw["id"], raw["mimetype"])

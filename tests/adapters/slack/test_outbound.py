"""send() against the fake Web API: threads, Block Kit, cards, edits, deletions, reactions,
ephemeral messages, pacing per channel, and Slack errors mapped to delivery errors."""

from __future__ import annotations

import pytest

from dialogue.errors import PermanentDeliveryError, TransientDeliveryError
from dialogue.messages import Button, ConversationKey, OutgoingMessage, Platform
from tests.adapters.conftest import PacingTime
from tests.adapters.slack.support import make_adapter
from tests.fakes.slack_api import BOT_TOKEN, OTHER, SALES, SUPPORT, FakeSlackApi


async def test_send_posts_threaded_with_blocks_and_text_fallback(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    msg = OutgoingMessage(
        ConversationKey(Platform.SLACK, SALES, "1700000000.000100"),
        "Revenue <last week>: 12 orders",
        buttons=(Button("Yes", "confirm:yes", "primary"), Button("No", "confirm:no")),
        table=(("customer", "revenue"), ("ACME", "1,200.00")),
    )
    result = await adapter.send(msg)
    [call] = slack_api.calls_to("chat.postMessage")
    assert result.platform_message_id and result.platform_message_id == slack_api.messages[SALES][0]["ts"]
    assert call.token == BOT_TOKEN
    assert call.args["channel"] == SALES
    assert call.args["thread_ts"] == "1700000000.000100"
    assert call.args["text"].startswith("Revenue &lt;last week&gt;: 12 orders")
    blocks = call.args["blocks"]
    assert [b["type"] for b in blocks] == ["section", "table", "actions"]
    assert blocks[1]["rows"][1][0] == {"type": "raw_text", "text": "ACME"}
    buttons = blocks[2]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("opsbot_btn_0", "confirm:yes"),
        ("opsbot_btn_1", "confirm:no"),
    ]
    assert buttons[0]["style"] == "primary" and "style" not in buttons[1]


async def test_send_to_dm_is_not_threaded(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    await adapter.send(OutgoingMessage(ConversationKey(Platform.SLACK, "D123"), "hi", reply_to="1700.1"))
    [call] = slack_api.calls_to("chat.postMessage")
    assert "thread_ts" not in call.args


async def test_send_maps_429_to_transient_with_retry_after(
    slack_api: FakeSlackApi, pacing_time: PacingTime
) -> None:
    fake_time = pacing_time
    adapter, _ = make_adapter(slack_api.base_url, time=fake_time)
    slack_api.rate_limit_next("chat.postMessage", retry_after=7)
    msg = OutgoingMessage(ConversationKey(Platform.SLACK, SALES, "1.1"), "hello")
    with pytest.raises(TransientDeliveryError) as info:
        await adapter.send(msg)
    assert info.value.retry_after == 7
    assert len(slack_api.calls_to("chat.postMessage")) == 1  # no silent SDK retry
    # during the cooldown the adapter fails fast, without calling Slack
    with pytest.raises(TransientDeliveryError) as info2:
        await adapter.send(msg)
    assert info2.value.retry_after is not None and 0 < info2.value.retry_after <= 7
    assert len(slack_api.calls_to("chat.postMessage")) == 1
    fake_time.now += 7
    assert (await adapter.send(msg)).platform_message_id


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth"])
async def test_send_maps_permanent_errors(slack_api: FakeSlackApi, error: str) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    slack_api.fail_next("chat.postMessage", error=error)
    with pytest.raises(PermanentDeliveryError, match=error):
        await adapter.send(OutgoingMessage(ConversationKey(Platform.SLACK, SALES, "1.1"), "hello"))


async def test_send_maps_other_errors_to_transient(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    slack_api.fail_next("chat.postMessage", error="internal_error", status=500)
    with pytest.raises(TransientDeliveryError):
        await adapter.send(OutgoingMessage(ConversationKey(Platform.SLACK, SALES, "1.1"), "hello"))
    slack_api.fail_next("chat.postMessage", error="fatal_error")
    with pytest.raises(TransientDeliveryError):
        await adapter.send(OutgoingMessage(ConversationKey(Platform.SLACK, SALES, "1.1"), "hello"))


async def test_send_network_error_is_transient() -> None:
    adapter, _ = make_adapter("http://127.0.0.1:9/api/", per_channel_interval_seconds=0)  # nothing listens
    with pytest.raises(TransientDeliveryError):
        await adapter.send(OutgoingMessage(ConversationKey(Platform.SLACK, SALES, "1.1"), "hello"))


async def test_send_is_paced_per_channel(slack_api: FakeSlackApi, pacing_time: PacingTime) -> None:
    fake_time = pacing_time
    adapter, _ = make_adapter(slack_api.base_url, time=fake_time, per_channel_interval_seconds=1.0)
    for _ in range(3):
        await adapter.send(OutgoingMessage(ConversationKey(Platform.SLACK, SALES, "1.1"), "x"))
    await adapter.send(OutgoingMessage(ConversationKey(Platform.SLACK, OTHER, "1.1"), "y"))
    assert fake_time.waits == [1.0, 1.0]  # the second and third post to SALES waited; OTHER did not
    assert len(slack_api.calls_to("chat.postMessage")) == 4


async def test_send_update_reaction_and_ephemeral(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    key = ConversationKey(Platform.SLACK, SUPPORT)
    await adapter.send(OutgoingMessage(key, "claimed", edit_of="1700.5"))
    await adapter.send(OutgoingMessage(key, "", reply_to="1700.6", reaction=":white_check_mark:"))
    await adapter.send(OutgoingMessage(key, "only you", visible_to="UAGENT"))
    assert slack_api.calls_to("chat.update")[0].args["ts"] == "1700.5"
    assert slack_api.calls_to("reactions.add")[0].args == {
        "channel": SUPPORT,
        "timestamp": "1700.6",
        "name": "white_check_mark",
    }
    assert slack_api.calls_to("chat.postEphemeral")[0].args["user"] == "UAGENT"
    assert slack_api.calls_to("chat.postMessage") == []


async def test_delete_removes_the_bots_message(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    key = ConversationKey(Platform.SLACK, SUPPORT, "1700000000.000001")
    posted = await adapter.send(OutgoingMessage(key, "Claimed by @ann"))
    result = await adapter.send(OutgoingMessage(key, "", delete_of=posted.platform_message_id))
    [call] = slack_api.calls_to("chat.delete")
    assert call.args == {"channel": SUPPORT, "ts": posted.platform_message_id}
    assert slack_api.messages[SUPPORT] == [] and result.platform_message_id == posted.platform_message_id
    with pytest.raises(PermanentDeliveryError, match="message_not_found"):
        await adapter.send(OutgoingMessage(key, "", delete_of=posted.platform_message_id))


async def test_a_reaction_already_there_counts_as_delivered(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    slack_api.fail_next("reactions.add", error="already_reacted")
    key = ConversationKey(Platform.SLACK, SUPPORT, "1700.1")
    result = await adapter.send(OutgoingMessage(key, "", reply_to="1700.6", reaction="white_check_mark"))
    assert result.platform_message_id == "1700.6"
    with pytest.raises(PermanentDeliveryError, match="without a message ts"):
        await adapter.send(OutgoingMessage(key, "", reaction="eyes"))


async def test_ephemeral_and_edited_messages_stay_in_the_thread(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    key = ConversationKey(Platform.SLACK, SUPPORT, "1700000000.000001")
    await adapter.send(OutgoingMessage(key, "Only the assignee may reply here", visible_to="UOTHER"))
    [ephemeral] = slack_api.calls_to("chat.postEphemeral")
    assert ephemeral.args["user"] == "UOTHER" and ephemeral.args["thread_ts"] == "1700000000.000001"
    posted = await adapter.send(OutgoingMessage(key, "Escalation: pending"))
    await adapter.send(
        OutgoingMessage(key, "Escalation: claimed by @ann", edit_of=posted.platform_message_id)
    )
    [update] = slack_api.calls_to("chat.update")
    assert update.args["ts"] == posted.platform_message_id
    assert slack_api.messages[SUPPORT][0]["text"] == "Escalation: claimed by @ann"

"""Signed requests to the real /slack/events route: what is stored, what is ignored, what is refused."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from adapters.slack.inbound import normalize_text
from dialogue.messages import ChannelKind, ConversationKey, Platform
from tests.adapters.slack.support import post_event
from tests.fakes.slack_api import (
    BOT_USER,
    OTHER,
    SALES,
    SUPPORT,
    block_action_body,
    event_body,
    mention,
    sign,
)


async def test_mention_in_sales_channel_is_stored_with_thread_and_kind(http: Any) -> None:
    client, inbox, _ = http
    body = event_body(mention("sales &amp; revenue last week?", ts="1700000000.000100"), event_id="EvA")
    resp = await post_event(client, body)
    assert resp.status_code == 200
    [msg] = inbox.messages
    assert msg.platform == Platform.SLACK
    assert msg.conversation == ConversationKey(Platform.SLACK, SALES, "1700000000.000100")
    assert msg.channel_kind == ChannelKind.SALES
    assert msg.text == "sales & revenue last week?"
    assert msg.external_id == "EvA"
    assert msg.dedupe_key == f"{SALES}:1700000000.000100"
    assert msg.sender.id == "UREP"
    assert msg.message_id == "1700000000.000100"


async def test_mention_inside_a_thread_uses_the_thread_root(http: Any) -> None:
    client, inbox, _ = http
    event = mention("and last month?", ts="1700000000.000900", thread_ts="1700000000.000100", channel=OTHER)
    assert (await post_event(client, event_body(event, event_id="EvT"))).status_code == 200
    [msg] = inbox.messages
    assert msg.conversation.thread_id == "1700000000.000100"
    assert msg.channel_kind == ChannelKind.OTHER


async def test_app_mention_and_message_pair_is_stored_once(http: Any) -> None:
    client, inbox, _ = http
    ts = "1700000000.000300"
    r1 = await post_event(client, event_body(mention("hello", ts=ts), event_id="Ev1"))
    r2 = await post_event(client, event_body(mention("hello", ts=ts, kind="message"), event_id="Ev2"))
    assert (r1.status_code, r2.status_code) == (200, 200)
    assert len(inbox.messages) == 1
    assert inbox.calls == 2  # the second was refused by the dedupe key, then acked


async def test_slack_retry_of_a_stored_event_is_acked_without_a_second_row(http: Any) -> None:
    client, inbox, _ = http
    body = event_body(mention("hello"), event_id="EvRetry")
    assert (await post_event(client, body)).status_code == 200
    resp = await post_event(
        client, body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert resp.status_code == 200
    assert len(inbox.messages) == 1


async def test_bad_signature_is_rejected(http: Any) -> None:
    client, inbox, _ = http
    body = event_body(mention("hello"))
    headers = {"Content-Type": "application/json", **sign(body, secret="wrong-secret")}
    resp = await client.post("/slack/events", content=body, headers=headers)
    assert resp.status_code == 401
    assert inbox.calls == 0


async def test_stale_timestamp_is_rejected(http: Any) -> None:
    client, inbox, _ = http
    body = event_body(mention("hello"))
    headers = {"Content-Type": "application/json", **sign(body, timestamp=int(time.time()) - 6 * 60)}
    resp = await client.post("/slack/events", content=body, headers=headers)
    assert resp.status_code == 401
    assert inbox.calls == 0


async def test_url_verification(http: Any) -> None:
    client, _, _ = http
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
    resp = await post_event(client, body)
    assert resp.status_code == 200
    assert "c-123" in resp.text


async def test_dm_is_its_own_conversation(http: Any) -> None:
    client, inbox, _ = http
    ts = "1700000000.000400"
    event = {"type": "message", "channel_type": "im", "channel": "D123", "user": "UREP",
             "text": "top customers?", "ts": ts, "event_ts": ts}  # fmt: skip
    assert (await post_event(client, event_body(event, event_id="EvDM"))).status_code == 200
    [msg] = inbox.messages
    assert msg.conversation == ConversationKey(Platform.SLACK, "D123", "")
    assert msg.channel_kind == ChannelKind.DM


@pytest.mark.parametrize(
    "extra",
    [
        {"subtype": "bot_message", "bot_id": "BOTHER"},
        {"bot_id": "BOTHER"},
        {"user": BOT_USER},
        {"subtype": "channel_join"},
        {"subtype": "message_changed"},
    ],
)
async def test_bot_and_non_text_messages_are_ignored(http: Any, extra: dict[str, Any]) -> None:
    client, inbox, _ = http
    event = {"type": "message", "channel_type": "im", "channel": "D123", "user": "UREP",
             "text": "hello", "ts": "1700000000.000500", **extra}  # fmt: skip
    assert (await post_event(client, event_body(event, event_id="EvBot"))).status_code == 200
    assert inbox.messages == []


async def test_unsubscribed_event_types_are_acked(http: Any) -> None:
    client, inbox, _ = http
    event = {"type": "reaction_added", "user": "UREP", "reaction": "eyes", "event_ts": "1700000000.000601"}
    assert (await post_event(client, event_body(event, event_id="EvOther"))).status_code == 200
    assert inbox.messages == []


async def test_plain_channel_message_without_mention_is_ignored(http: Any) -> None:
    client, inbox, _ = http
    event = {"type": "message", "channel_type": "channel", "channel": SALES, "user": "UREP",
             "text": "lunch?", "ts": "1700000000.000600"}  # fmt: skip
    assert (await post_event(client, event_body(event, event_id="EvPlain"))).status_code == 200
    assert inbox.messages == []


async def test_thread_reply_without_mention_counts_once_the_bot_is_in_the_thread(http: Any) -> None:
    client, inbox, _ = http
    root = "1700000000.000700"
    reply = {"type": "message", "channel_type": "channel", "channel": SALES, "user": "UREP",
             "text": "for ACME please", "ts": "1700000000.000800", "thread_ts": root}  # fmt: skip
    await post_event(client, event_body(reply, event_id="EvR0"))
    assert inbox.messages == []  # the bot was never in this thread
    await post_event(client, event_body(mention("customer lookup", ts=root), event_id="EvR1"))
    await post_event(client, event_body(reply, event_id="EvR2"))
    assert [m.text for m in inbox.messages] == ["customer lookup", "for ACME please"]
    assert inbox.messages[1].conversation == ConversationKey(Platform.SLACK, SALES, root)


async def test_support_thread_replies_are_stored_for_the_relay(http: Any) -> None:
    client, inbox, _ = http
    reply = {"type": "message", "channel_type": "channel", "channel": SUPPORT, "user": "UAGENT",
             "text": "note: called them", "ts": "1700000000.000901",
             "thread_ts": "1700000000.000001"}  # fmt: skip
    await post_event(client, event_body(reply, event_id="EvS"))
    [msg] = inbox.messages
    assert msg.channel_kind == ChannelKind.SUPPORT
    assert msg.conversation == ConversationKey(Platform.SLACK, SUPPORT, "1700000000.000001")


async def test_button_click_is_stored_with_callback_data_and_acked_fast(http: Any) -> None:
    client, inbox, _ = http
    body = block_action_body(
        value="confirm:yes", message_ts="1700000000.000200", thread_ts="1700000000.000100"
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    started = time.monotonic()
    resp = await client.post("/slack/events", content=body, headers=headers)
    assert time.monotonic() - started < 3.0
    assert resp.status_code == 200
    [msg] = inbox.messages
    assert msg.callback_data == "confirm:yes"
    assert msg.external_id == "action:1700000000.000200:1700000001.000300"
    assert msg.conversation == ConversationKey(Platform.SLACK, SALES, "1700000000.000100")
    assert msg.channel_kind == ChannelKind.SALES
    # the same click delivered twice is stored once
    resp = await client.post("/slack/events", content=body, headers={**headers, **sign(body)})
    assert resp.status_code == 200 and len(inbox.messages) == 1


async def test_ingest_failure_is_not_acked(http: Any) -> None:
    client, _, adapter = http

    async def broken(msg: Any) -> Any:
        raise RuntimeError("database down")

    adapter._ingest = broken
    resp = await post_event(client, event_body(mention("hello"), event_id="EvFail"))
    assert resp.status_code >= 500  # Slack will retry


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        (f"<@{BOT_USER}> who is <@U42|ann>?", "who is @ann?"),
        ("ping <@U42>", "ping @U42"),
        ("see <https://x.example/a|the docs> and <https://y.example>", "see the docs and https://y.example"),
        ("a &amp; b &lt;c&gt;", "a & b <c>"),
        ("in <#C1|sales> <!here>", "in #sales @here"),
        ("mail <mailto:a@b.example|a@b.example>", "mail a@b.example"),
    ],
)
def test_markup_is_normalized(raw: str, plain: str) -> None:
    assert normalize_text(raw, bot_user_id=BOT_USER) == plain

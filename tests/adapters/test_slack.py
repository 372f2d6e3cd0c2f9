"""Slack adapter: signed requests to the real /slack/events route, and send() against the fake Web API."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from adapters.slack import SlackAdapter
from adapters.slack_convert import normalize_text
from bot.config import SlackSettings
from dialogue.errors import PermanentDeliveryError, TransientDeliveryError
from dialogue.messages import Button, ChannelKind, ConversationKey, OutgoingMessage, Platform
from tests.fakes.slack_api import (
    BOT_TOKEN,
    BOT_USER,
    OTHER,
    SALES,
    SUPPORT,
    FakeSlackApi,
    MemoryInbox,
    block_action_body,
    event_body,
    mention,
    sign,
    slack_api_fixture,
    slack_api_server_fixture,
)
from tests.fakes.slack_api import SIGNING_SECRET as SECRET

__all__ = ["slack_api_fixture", "slack_api_server_fixture"]  # fixtures used by the tests below


class FakeSleep:
    """Records pacing waits instead of sleeping; advances a fake monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def make_adapter(
    base_url: str = "http://127.0.0.1:9/api/", **kwargs: Any
) -> tuple[SlackAdapter, MemoryInbox]:
    inbox = MemoryInbox()
    settings = SlackSettings(
        mode="http", api_base_url=base_url, sales_channels=(SALES,), support_channel=SUPPORT, **kwargs
    )
    adapter = SlackAdapter(
        settings=settings, bot_token=BOT_TOKEN, signing_secret=SECRET, app_token="", ingest=inbox, mode="http"
    )
    return adapter, inbox


@pytest.fixture
async def http() -> AsyncIterator[tuple[httpx.AsyncClient, MemoryInbox, SlackAdapter]]:
    adapter, inbox = make_adapter()
    app = Starlette(routes=list(adapter.routes()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client, inbox, adapter


async def post_event(client: httpx.AsyncClient, body: str, **headers: str) -> httpx.Response:
    return await client.post(
        "/slack/events", content=body, headers={"Content-Type": "application/json", **sign(body), **headers}
    )


# --- inbound -------------------------------------------------------------------------------------


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


# --- outbound ------------------------------------------------------------------------------------


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
    assert [b["type"] for b in blocks] == ["section", "section", "actions"]
    assert "```" in blocks[1]["text"]["text"] and "ACME" in blocks[1]["text"]["text"]
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


async def test_send_maps_429_to_transient_with_retry_after(slack_api: FakeSlackApi) -> None:
    fake_time = FakeSleep()
    adapter, _ = make_adapter(slack_api.base_url)
    adapter.sender.sleep, adapter.sender.monotonic = fake_time, fake_time.monotonic
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


async def test_send_is_paced_per_channel(slack_api: FakeSlackApi) -> None:
    fake_time = FakeSleep()
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=1.0)
    adapter.sender.sleep, adapter.sender.monotonic = fake_time, fake_time.monotonic
    for _ in range(3):
        await adapter.send(OutgoingMessage(ConversationKey(Platform.SLACK, SALES, "1.1"), "x"))
    await adapter.send(OutgoingMessage(ConversationKey(Platform.SLACK, OTHER, "1.1"), "y"))
    assert fake_time.waits == [1.0, 1.0]  # the second and third post to SALES waited; OTHER did not
    assert len(slack_api.calls_to("chat.postMessage")) == 4


async def test_send_update_reaction_and_ephemeral(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    key = ConversationKey(Platform.SLACK, SUPPORT)
    await adapter.send(OutgoingMessage(key, "claimed", metadata={"slack_update_ts": "1700.5"}))
    await adapter.send(
        OutgoingMessage(key, "", reply_to="1700.6", metadata={"slack_reaction": ":white_check_mark:"})
    )
    await adapter.send(OutgoingMessage(key, "only you", metadata={"slack_ephemeral_user": "UAGENT"}))
    assert slack_api.calls_to("chat.update")[0].args["ts"] == "1700.5"
    assert slack_api.calls_to("reactions.add")[0].args == {
        "channel": SUPPORT,
        "timestamp": "1700.6",
        "name": "white_check_mark",
    }
    assert slack_api.calls_to("chat.postEphemeral")[0].args["user"] == "UAGENT"
    assert slack_api.calls_to("chat.postMessage") == []


async def test_start_learns_the_bot_identity(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url)
    await adapter.start()
    await adapter.start()  # idempotent
    assert adapter.bot_user_id == BOT_USER
    assert len(slack_api.calls_to("auth.test")) == 1
    await adapter.stop()
    await adapter.stop()


def test_socket_mode_needs_an_app_token_and_serves_no_routes() -> None:
    settings = SlackSettings(mode="socket")
    with pytest.raises(ValueError, match="SLACK_APP_TOKEN"):
        SlackAdapter(
            settings=settings,
            bot_token=BOT_TOKEN,
            signing_secret="",
            app_token="",
            ingest=MemoryInbox(),
            mode="socket",
        )
    adapter = SlackAdapter(
        settings=settings,
        bot_token=BOT_TOKEN,
        signing_secret="",
        app_token="xapp-1",
        ingest=MemoryInbox(),
        mode="socket",
    )
    assert list(adapter.routes()) == []


async def test_socket_mode_requests_use_the_same_handlers_without_signatures() -> None:
    from slack_bolt.request.async_request import AsyncBoltRequest

    inbox = MemoryInbox()
    adapter = SlackAdapter(
        settings=SlackSettings(mode="socket", sales_channels=(SALES,)),
        bot_token=BOT_TOKEN,
        signing_secret="",
        app_token="xapp-1",
        ingest=inbox,
        mode="socket",
    )
    body = json.loads(event_body(mention("hello", ts="1700000000.000111"), event_id="EvSock"))
    response = await adapter.app.async_dispatch(AsyncBoltRequest(body=body, mode="socket_mode"))
    assert response.status == 200
    [msg] = inbox.messages
    assert msg.channel_kind == ChannelKind.SALES and msg.conversation.thread_id == "1700000000.000111"

"""Lifecycle and Socket Mode: identity from auth.test, idempotent start/stop, unsigned socket requests."""

from __future__ import annotations

import json

import pytest

from adapters.slack import SlackAdapter
from adapters.slack.settings import SlackSettings
from dialogue.messages import ChannelKind
from tests.adapters.slack.support import make_adapter
from tests.fakes.slack_api import BOT_TOKEN, BOT_USER, SALES, FakeSlackApi, MemoryInbox, event_body, mention


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

"""Builders for the Slack adapter tests."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.slack import SlackAdapter, slack_pacer
from adapters.slack.settings import SlackSettings
from tests.adapters.conftest import PacingTime
from tests.fakes.slack_api import BOT_TOKEN, SALES, SUPPORT, MemoryInbox, sign
from tests.fakes.slack_api import SIGNING_SECRET as SECRET


def make_adapter(
    base_url: str = "http://127.0.0.1:9/api/", *, time: PacingTime | None = None, **kwargs: Any
) -> tuple[SlackAdapter, MemoryInbox]:
    """An HTTP-mode adapter on the fake Web API; with `time`, its pacing runs on that fake clock."""
    inbox = MemoryInbox()
    settings = SlackSettings(
        mode="http", api_base_url=base_url, sales_channels=(SALES,), support_channel=SUPPORT, **kwargs
    )
    pacer = (
        slack_pacer(settings.per_channel_interval_seconds, sleep=time.sleep, clock=time.time)
        if time is not None
        else None
    )
    adapter = SlackAdapter(
        settings=settings,
        bot_token=BOT_TOKEN,
        signing_secret=SECRET,
        app_token="",
        ingest=inbox,
        mode="http",
        pacer=pacer,
    )
    return adapter, inbox


async def post_event(client: httpx.AsyncClient, body: str, **headers: str) -> httpx.Response:
    return await client.post(
        "/slack/events", content=body, headers={"Content-Type": "application/json", **sign(body), **headers}
    )

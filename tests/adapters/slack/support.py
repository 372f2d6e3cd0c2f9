"""Builders for the Slack adapter tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from adapters.base import RejectedUpdate
from adapters.slack import SlackAdapter, slack_pacer
from adapters.slack.settings import SlackSettings
from tests.adapters.conftest import PacingTime
from tests.adapters.zoo import Payload
from tests.fakes.slack_api import BOT_TOKEN, SALES, SUPPORT, MemoryInbox, sign
from tests.fakes.slack_api import SIGNING_SECRET as SECRET


@dataclass
class Rejections:
    """reject double: signed requests the adapter acknowledged or refused without storing."""

    updates: list[RejectedUpdate] = field(default_factory=list)

    async def __call__(self, update: RejectedUpdate) -> None:
        self.updates.append(update)

    @property
    def reasons(self) -> list[str]:
        return [u.reason for u in self.updates]


def make_adapter(
    base_url: str = "http://127.0.0.1:9/api/",
    *,
    time: PacingTime | None = None,
    reject: Rejections | None = None,
    **kwargs: Any,
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
        reject=reject,
    )
    return adapter, inbox


async def post_event(client: httpx.AsyncClient, body: str, **headers: str) -> httpx.Response:
    return await client.post(
        "/slack/events", content=body, headers={"Content-Type": "application/json", **sign(body), **headers}
    )


def request_body(sample: Payload) -> tuple[bytes, str]:
    """A payload as Slack sends it: JSON, or a form with `payload=<json>` for `.form` payloads."""
    raw = sample.body
    if sample.is_form:
        compact = json.dumps(json.loads(raw), separators=(",", ":"))
        return urlencode({"payload": compact}).encode(), "application/x-www-form-urlencoded"
    return raw, "application/json"


async def post_signed(
    client: httpx.AsyncClient, body: bytes, content_type: str = "application/json"
) -> httpx.Response:
    return await client.post(
        "/slack/events", content=body, headers={"Content-Type": content_type, **sign(body)}
    )

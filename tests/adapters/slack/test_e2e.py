"""End to end through the runtime: signed Slack event -> inbox -> dialogue -> outbox -> fake Slack."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.storage.tables import InboxRow, OutboxRow
from tests.fakes.slack_api import BOT_TOKEN, SALES, SIGNING_SECRET, FakeSlackApi, event_body, mention, sign


async def start_runtime(make_runtime: Any, slack_api: FakeSlackApi) -> Any:
    return await make_runtime(
        overrides={
            "slack": {
                "mode": "http",
                "api_base_url": slack_api.base_url,
                "sales_channels": [SALES],
                "per_channel_interval_seconds": 0,
            },
            "pipeline": {"send_backoff_base_seconds": 0.2, "poll_interval_seconds": 0.1},
        },
        env={"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET},
    )


async def post(runtime: Any, body: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=runtime.asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.post(
            "/slack/events",
            content=body,
            headers={"Content-Type": "application/json", **sign(body), **headers},
        )


async def wait_sent(runtime: Any, count: int, within: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        async with runtime.store.sessionmaker() as s:
            sent = (
                await s.execute(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "sent"))
            ).scalar_one()
        if sent >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} outbox rows sent")


async def test_mention_gets_a_threaded_reply(make_runtime: Any, slack_api: FakeSlackApi) -> None:
    runtime = await start_runtime(make_runtime, slack_api)
    ts = "1700000000.000100"
    resp = await post(runtime, event_body(mention("hello there", ts=ts), event_id="EvE2E1"))
    assert resp.status_code == 200
    # Slack also sends the `message` twin and, say, a retry: both acked, neither answered again
    twin = event_body(mention("hello there", ts=ts, kind="message"), event_id="EvE2E2")
    assert (await post(runtime, twin)).status_code == 200
    retry = event_body(mention("hello there", ts=ts), event_id="EvE2E1")
    assert (await post(runtime, retry, **{"X-Slack-Retry-Num": "1"})).status_code == 200
    await wait_sent(runtime, 1)
    [call] = await slack_api.wait_for("chat.postMessage")
    assert call.args["channel"] == SALES
    assert call.args["thread_ts"] == ts
    assert call.args["text"]
    async with runtime.store.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(InboxRow))).scalar_one() == 1
    await asyncio.sleep(0.3)
    assert len(slack_api.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
async def test_rate_limited_reply_is_delivered_after_retry_after(
    db_kind: str, make_runtime: Any, slack_api: FakeSlackApi
) -> None:
    slack_api.rate_limit_next("chat.postMessage", retry_after=1)
    runtime = await start_runtime(make_runtime, slack_api)
    resp = await post(runtime, event_body(mention("hello", ts="1700000000.000500"), event_id="EvE2E429"))
    assert resp.status_code == 200
    await wait_sent(runtime, 1)
    first, second = slack_api.calls_to("chat.postMessage")
    assert second.at - first.at >= 0.9  # waited for Retry-After, no earlier retry
    assert second.args["thread_ts"] == "1700000000.000500"

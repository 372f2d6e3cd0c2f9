"""/slack/events faces the internet: nothing is parsed before the signature is checked, and no body
gets a 5xx (only a failed inbox write does, so that Slack retries)."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import httpx
import pytest

from tests.adapters.slack.support import Rejections, post_signed
from tests.fakes.slack_api import SALES, MemoryInbox, block_action_body, event_body, mention, sign

Guarded = tuple[httpx.AsyncClient, MemoryInbox, Rejections]
DEEP = b'{"type": "event_callback", "event": ' + b"[" * 5000 + b"]" * 5000 + b"}"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": "v0=deadbeef"},
        {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=deadbeef"},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
    ],
)
async def test_unsigned_garbage_is_401_before_anything_is_parsed(
    guarded: Guarded, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    client, inbox, rejections = guarded
    for body in (b"\x00\xff garbage", b"{", DEEP, b"payload=notjson"):
        response = await client.post("/slack/events", content=body, headers=headers)
        assert response.status_code == 401
    assert inbox.calls == 0 and rejections.updates == []  # unsigned requests are not counted as events
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # rate-limited: one line for four requests
    assert "Traceback" not in caplog.text and all(r.exc_info is None for r in caplog.records)


async def test_a_stale_signature_is_refused(guarded: Guarded) -> None:
    client, inbox, _ = guarded
    body = event_body(mention("hello"))
    old = sign(body, timestamp=int(time.time()) - 600)
    response = await client.post(
        "/slack/events", content=body, headers={"Content-Type": "application/json", **old}
    )
    assert response.status_code == 401 and inbox.calls == 0


MALFORMED: list[tuple[str, bytes, str]] = [
    ("truncated JSON", event_body(mention("hello"))[:-7].encode(), "application/json"),
    ("payload=notjson", b"payload=notjson", "application/x-www-form-urlencoded"),
    ("a list", b"[1, 2, 3]", "application/json"),
    ("deep nesting", DEEP, "application/json"),
    (
        "deep form payload",
        urlencode({"payload": "[" * 3000 + "]" * 3000}).encode(),
        "application/x-www-form-urlencoded",
    ),
    (
        "event is a string",
        json.dumps({"type": "event_callback", "event": "message"}).encode(),
        "application/json",
    ),
    (
        "user is a number",
        event_body({**mention("hi"), "user": 42}).encode(),
        "application/json",
    ),
    (
        "channel is a list",
        event_body({**mention("hi", kind="message"), "channel": ["C1"]}).encode(),
        "application/json",
    ),
    (
        "authorizations of strings",
        json.dumps({**json.loads(event_body(mention())), "authorizations": ["x"]}).encode(),
        "application/json",
    ),
    ("no type", b'{"event": {"type": "message"}}', "application/json"),
    ("not UTF-8 form", b"payload=%FF%FE", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(("what", "body", "content_type"), MALFORMED, ids=[m[0] for m in MALFORMED])
async def test_a_signed_but_malformed_body_is_400_with_one_warning(
    guarded: Guarded, what: str, body: bytes, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    client, inbox, rejections = guarded
    response = await post_signed(client, body, content_type)
    assert response.status_code == 400
    assert inbox.calls == 0 and rejections.reasons == ["malformed"]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "Traceback" not in caplog.text


async def test_a_button_click_whose_user_is_a_string_is_still_understood(guarded: Guarded) -> None:
    client, inbox, _ = guarded
    form = block_action_body(value="confirm:yes")
    payload = json.loads(
        dict([form.split("=", 1)]) and __import__("urllib.parse").parse.parse_qs(form)["payload"][0]
    )
    payload["user"] = "UREP"
    body = urlencode({"payload": json.dumps(payload)}).encode()
    response = await post_signed(client, body, "application/x-www-form-urlencoded")
    assert response.status_code == 200
    [click] = inbox.messages
    assert (click.sender.id, click.callback_data) == ("UREP", "confirm:yes")


@pytest.mark.parametrize(
    "body",
    [
        b'{"token": "t", "type": "app_rate_limited", "team_id": "T1", "minute_rate_limited": 1518467820}',
        b"command=%2Fopsbot&text=hello&user_id=UREP",
        json.dumps({**json.loads(event_body(mention())), "event": {"type": "tokens_revoked"}}).encode(),
    ],
    # named, not by their bytes: an event's `event_time` is the clock at collection, which differs between
    # pytest-xdist's workers (they must collect the same test ids)
    ids=["app_rate_limited", "slash_command", "tokens_revoked"],
)
async def test_kinds_the_bot_does_not_handle_are_acknowledged_and_counted(
    guarded: Guarded, body: bytes
) -> None:
    client, inbox, rejections = guarded
    content_type = "application/x-www-form-urlencoded" if body.startswith(b"command") else "application/json"
    response = await post_signed(client, body, content_type)
    assert response.status_code == 200
    assert inbox.calls == 0 and rejections.reasons == ["unsupported"]


async def test_repeated_garbage_is_counted_every_time_but_logged_once(
    guarded: Guarded, caplog: pytest.LogCaptureFixture
) -> None:
    client, _, rejections = guarded
    for _ in range(20):
        assert (
            await post_signed(client, b"payload=notjson", "application/x-www-form-urlencoded")
        ).status_code == 400
    assert len(rejections.updates) == 20
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


async def test_a_failed_inbox_write_is_still_a_500_so_slack_retries(http: tuple) -> None:
    client, _, adapter = http

    async def broken(message: object) -> object:
        raise ConnectionError("database down")

    adapter._ingest = broken
    response = await post_signed(client, event_body(mention("hello", channel=SALES)).encode())
    assert response.status_code == 500

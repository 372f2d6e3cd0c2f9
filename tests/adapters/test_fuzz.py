"""Property-based fuzzing of the three endpoints and the pure translations: no body ever gets a 5xx,
no translation ever raises. Examples are few (seconds, not minutes) and the database is off."""

from __future__ import annotations

import datetime as dtm
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from adapters.base import IngestResult
from adapters.markdown import split_markdown, to_plain
from adapters.slack.inbound import (
    ChannelRoles,
    change_from_event,
    is_human_message,
    message_from_block_action,
    message_from_event,
    normalize_text,
)
from adapters.slack.mrkdwn import from_markdown, to_markdown
from adapters.telegram.html import markdown_to_html
from adapters.telegram.inbound import MalformedUpdate, parse_update_json, translate_update
from adapters.text import utf16_len
from adapters.web import WebChatAdapter, WebSettings
from tests.adapters.slack.support import make_adapter, post_signed
from tests.fakes.slack_api import SUPPORT, event_body, mention
from tests.fakes.telegram_html import visible_text
from tests.fakes.telegram_updates import text_update

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KEYS = st.sampled_from(
    [
        "type",
        "event",
        "user",
        "channel",
        "text",
        "ts",
        "thread_ts",
        "subtype",
        "message",
        "previous_message",
        "files",
        "actions",
        "action_id",
        "authorizations",
        "team",
        "id",
        "update_id",
        "chat",
        "from",
        "date",
        "callback_query",
        "data",
        "caption",
        "photo",
        "document",
        "edited_message",
        "channel_type",
        "challenge",
        "sender",
        "supplier_id",
        "message_id",
        "callback_data",
        "deleted_ts",
        "url_private",
        "size",
        "mimetype",
        "value",
        "container",
        "is_bot",
        "first_name",
    ]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12)
JSONISH = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(KEYS | st.text(max_size=6), children, max_size=6)
    ),
    max_leaves=25,
)
NOW = dtm.datetime(2026, 11, 23, tzinfo=dtm.UTC)


def _graft(base: Any, path: list[str], value: Any) -> Any:
    """`base` with the value at `path` (a chain of object keys) replaced by `value`."""
    if not path or not isinstance(base, dict):
        return value
    return {**base, path[0]: _graft(base.get(path[0]), path[1:], value)}


SLACK_BASES = [
    json.loads(event_body(mention("hi"))),
    json.loads(event_body({**mention("hi", kind="message", channel=SUPPORT), "thread_ts": "1.0"})),
    json.loads(
        event_body({"type": "message", "subtype": "message_changed", "channel": SUPPORT, "message": {}})
    ),
]
SLACK_PATHS = st.sampled_from([["event"], ["event", "user"], ["event", "text"], ["event", "files"],
                               ["event", "message"], ["event", "previous_message"], ["authorizations"],
                               ["event", "channel"], ["type"], ["event", "type"]])  # fmt: skip
slack_bodies = st.builds(_graft, st.sampled_from(SLACK_BASES), SLACK_PATHS, JSONISH) | JSONISH
TG_PATHS = st.sampled_from(
    [["message"], ["message", "chat"], ["message", "from"], ["message", "text"], ["message", "date"],
     ["message", "photo"], ["callback_query"], ["update_id"]]
)  # fmt: skip
telegram_bodies = st.builds(_graft, st.just(text_update(1, "hello")), TG_PATHS, JSONISH) | JSONISH


def _dumps(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


# --- endpoints -----------------------------------------------------------------------------------------


@FUZZ
@given(body=slack_bodies | st.binary(max_size=200), signed=st.booleans(), form=st.booleans())
async def test_slack_events_never_answer_5xx(body: Any, signed: bool, form: bool) -> None:
    adapter, _ = make_adapter()
    raw = body if isinstance(body, bytes) else _dumps(body)
    if form:
        raw = b"payload=" + raw
    content_type = "application/x-www-form-urlencoded" if form else "application/json"
    transport = httpx.ASGITransport(app=Starlette(routes=list(adapter.routes())))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        if signed:
            response = await post_signed(client, raw, content_type)
        else:
            response = await client.post("/slack/events", content=raw, headers={"Content-Type": content_type})
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        signed = False  # Slack signs UTF-8 only: anything else cannot be verified, so it is refused
    assert response.status_code in ((200, 400) if signed else (401,))


@FUZZ
@given(body=JSONISH | st.fixed_dictionaries({"sender": JSONISH, "text": JSONISH}) | st.binary(max_size=100))
def test_web_messages_answer_200_or_a_json_400(body: Any) -> None:
    async def ingest(message: Any) -> IngestResult:
        return IngestResult(inbox_id=1, duplicate=False)

    async def wait(inbox_id: int, within: float) -> list[Any]:
        return []

    adapter = WebChatAdapter(settings=WebSettings(), ingest=ingest, wait_replies=wait)
    client = TestClient(
        Starlette(routes=list(adapter.routes())), base_url="http://localhost", client=("testclient", 1)
    )
    raw = body if isinstance(body, bytes) else _dumps(body)
    response = client.post("/web/messages", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert isinstance(response.json()["error"], str)


# --- pure translations -------------------------------------------------------------------------------


@FUZZ
@given(event=st.dictionaries(KEYS, JSONISH, max_size=8), body=st.dictionaries(KEYS, JSONISH, max_size=6))
def test_slack_translations_never_raise(event: dict[str, Any], body: dict[str, Any]) -> None:
    roles = ChannelRoles(("CSALES",), SUPPORT)
    is_human_message(event, bot_user_id="UBOT")
    message_from_event(event, event_id="Ev1", roles=roles, bot_user_id="UBOT", now=NOW)
    change_from_event({**event, "channel": SUPPORT}, event_id="Ev1", roles=roles, bot_user_id="UBOT", now=NOW)
    message_from_block_action(body, event, roles=roles, now=NOW)


@FUZZ
@given(body=telegram_bodies)
def test_telegram_translation_raises_nothing_but_malformed_update(body: Any) -> None:
    try:
        update, raw = parse_update_json(_dumps(body), None)
        translate_update(update, allow_groups=True, bot_username="opsbot", now=NOW, raw=raw)
    except MalformedUpdate:
        pass  # acknowledged and rejected by the adapter; anything else would be a bug


@FUZZ
@given(text=st.text(alphabet=st.sampled_from("ab *_~`[]()<>&:\n#!@|\\") | st.characters(), max_size=300))
def test_markdown_always_renders_and_splits_within_limits(text: str) -> None:
    for part in split_markdown(text, 120):
        assert utf16_len(to_plain(part)) <= 120
        _, error = visible_text(markdown_to_html(part), "HTML")
        assert error == ""
    from_markdown(text)
    to_markdown(text)
    normalize_text(text, bot_user_id="UBOT")

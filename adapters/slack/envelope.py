"""Requests to `POST /slack/events`, before anything reads them: signature, decoding, shape, kind.

The signature and timestamp are checked on the raw bytes (slack_sdk's SignatureVerifier) before the
body is parsed. A signed body is decoded (JSON, or a form whose `payload` is JSON) with the depth
limit of adapters.guard, checked for the types Bolt and the translation read, and sorted into what
the adapter handles (events it subscribes to, its own buttons, the URL check) and what it only
acknowledges. Pure functions, except for the clock the verifier reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import Clock as SlackClock
from slack_sdk.signature import SignatureVerifier

from adapters.guard import BadBody, decode_json
from dialogue.clock import Clock

HANDLED_EVENTS = frozenset({"message", "app_mention"})
_MAX_FORM_FIELDS = 50

# Where Bolt's context builders and matchers, and our translation, look; and what they take there.
_ID_HOLDERS = ("user", "channel", "team", "enterprise")  # a string, or an object with a string `id`
_STRINGS = (
    "type", "subtype", "ts", "thread_ts", "event_ts", "deleted_ts", "team_id", "enterprise_id",
    "user_id", "channel_id", "channel_type", "event_id", "user_team", "api_app_id", "response_url",
    "trigger_id", "app_installed_team_id", "function_execution_id", "bot_access_token",
    "context_team_id", "context_enterprise_id", "message_ts", "action_id", "block_id", "action_ts",
)  # fmt: skip
_OBJECTS = (
    "event", "message", "previous_message", "item", "view", "container", "assistant_thread",
    "function_data", "selected_option", "user_profile", "edited", "inputs",
)  # fmt: skip
_LISTS = ("authorizations", "actions", "files", "response_urls")
_NESTED = ("event", "message", "previous_message", "item", "assistant_thread", "container", "view")


class _EpochClock(SlackClock):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock().timestamp()


class RequestVerifier:
    """Slack's v0 request signature and a timestamp within five minutes of `clock`."""

    def __init__(self, signing_secret: str, clock: Clock) -> None:
        self._verifier = SignatureVerifier(signing_secret, clock=_EpochClock(clock))

    def problem(self, body: bytes, headers: Mapping[str, str]) -> str:
        """Why the request is not from Slack ("" when it is)."""
        timestamp = headers.get("x-slack-request-timestamp")
        signature = headers.get("x-slack-signature")
        if not timestamp or not signature:
            return "unsigned request"
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            return "malformed timestamp"
        try:
            text = body.decode("utf-8")  # Slack signs UTF-8; slack_sdk cannot verify anything else
        except UnicodeDecodeError:
            return "a body that is not UTF-8"
        valid = self._verifier.is_valid(body=text, timestamp=timestamp, signature=signature)
        if valid:
            return ""
        if abs(self._verifier.clock.now() - int(timestamp)) > 60 * 5:
            return "stale timestamp"
        return "bad signature"


def decode_request(body: bytes, content_type: str) -> dict[str, Any]:
    """The request as an object: a JSON body, or the JSON `payload` of a form (interactivity)."""
    is_form = content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"
    if is_form or (body[:8] == b"payload=" and not body.lstrip().startswith(b"{")):
        try:
            fields = dict(
                parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=_MAX_FORM_FIELDS)
            )
        except (UnicodeDecodeError, ValueError):
            raise BadBody("not a form") from None
        if "payload" not in fields:
            return {"type": "form", **{k: v for k, v in fields.items() if k == "command"}}
        data = decode_json(fields["payload"])
    else:
        data = decode_json(body)
    if not isinstance(data, dict):
        raise BadBody(f"not an object but {type(data).__name__}")
    return data


def _type_problem(value: Mapping[str, Any], where: str) -> str:
    for key in _ID_HOLDERS:
        item = value.get(key)
        if item is None or isinstance(item, str):
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("id", ""), str | None):
            return f"{where}.{key} is neither a string nor an object with a string id"
    for key in _STRINGS:
        if not isinstance(value.get(key, ""), str | None):
            return f"{where}.{key} is not a string"
    for key in _OBJECTS:
        if not isinstance(value.get(key, {}), Mapping | None):
            return f"{where}.{key} is not an object"
    for key in _LISTS:
        items = value.get(key, [])
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
            return f"{where}.{key} is not a list of objects"
    return ""


def shape_problem(payload: Mapping[str, Any]) -> str:
    """What is of the wrong type where Bolt or the translation reads it ("" when nothing)."""
    pending: list[tuple[Mapping[str, Any], str]] = [(payload, "body")]
    while pending:
        value, where = pending.pop()
        problem = _type_problem(value, where)
        if problem:
            return problem
        pending.extend(
            (value[key], f"{where}.{key}") for key in _NESTED if isinstance(value.get(key), Mapping)
        )
        for key in ("authorizations", "actions", "response_urls", "files"):
            pending.extend((item, f"{where}.{key}[{i}]") for i, item in enumerate(value.get(key) or ()))
    return ""


@dataclass(frozen=True, slots=True)
class Route:
    """What to do with a signed, decoded request: "url_verification", "bolt" or "ack" (with why)."""

    action: str
    detail: str = ""


def route(payload: Mapping[str, Any], *, action_prefix: str) -> Route:
    """Sort a request into what the adapter handles and what it only acknowledges."""
    kind = payload.get("type")
    if not isinstance(kind, str) or not kind:
        raise BadBody("no request type")
    if kind == "url_verification":
        if not isinstance(payload.get("challenge"), str):
            raise BadBody("url_verification without a challenge")
        return Route("url_verification")
    if kind == "event_callback":
        event = payload.get("event")
        if not isinstance(event, Mapping) or not isinstance(event.get("type"), str):
            raise BadBody("event_callback without an event type")
        if event["type"] in HANDLED_EVENTS:
            return Route("bolt")
        return Route("ack", f"event {event['type']}")
    if kind == "block_actions":
        actions = payload.get("actions") or []
        if any(str(a.get("action_id") or "").startswith(action_prefix) for a in actions):
            return Route("bolt")
        return Route("ack", "block actions of other buttons")
    return Route("ack", kind)

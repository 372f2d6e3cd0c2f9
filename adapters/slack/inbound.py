"""Slack payloads -> core messages: pure translation (no I/O, no SDK objects).

Every field is read through `text_of` / `mapping_of`, so a payload with a field of the wrong type
(a `user` that is a string, a missing `channel`) translates to empty values instead of raising.
`text` is plain text for the NLU; `rich_text` keeps the formatting as light Markdown for the relay.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.slack.blocks import BUTTON_ACTION_PREFIX, PICKER_MARK
from adapters.slack.mrkdwn import to_markdown
from dialogue.messages import (
    Attachment,
    ChannelKind,
    ConversationKey,
    IncomingMessage,
    Platform,
    Sender,
)

# Message subtypes that carry text a person wrote; everything else (joins, edits, deletions,
# topic changes, bot messages) is ignored, except edits and deletions in the support channel.
USER_TEXT_SUBTYPES = frozenset({"", "file_share", "thread_broadcast", "me_message"})
CHANGE_SUBTYPES = frozenset({"message_changed", "message_deleted"})

_MARKUP = re.compile(r"<([^<>]*)>")


@dataclass(frozen=True, slots=True)
class ChannelRoles:
    """Which Slack channels play which role (from SlackSettings)."""

    sales_channels: Collection[str] = ()
    support_channel: str = ""

    def kind_of(self, channel: str, channel_type: str) -> ChannelKind:
        if channel_type == "im" or (not channel_type and channel.startswith("D")):
            return ChannelKind.DM
        if self.support_channel and channel == self.support_channel:
            return ChannelKind.SUPPORT
        if channel in self.sales_channels:
            return ChannelKind.SALES
        return ChannelKind.OTHER


def normalize_text(text: str, *, bot_user_id: str = "") -> str:
    """Turn Slack mrkdwn markup into plain text for the NLU.

    `<@BOT>` is dropped, `<@U1|ann>` -> "@ann", `<@U1>` -> "@U1", `<#C1|sales>` -> "#sales",
    `<!here>` -> "@here", `<url|label>` -> "label", `<url>` -> "url"; `&amp; &lt; &gt;` unescaped.
    """

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            user = target[1:]
            if bot_user_id and user == bot_user_id:
                return ""
            return "@" + (label or user)
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            if target.startswith("!subteam^"):
                return label if label.startswith("@") else "@" + (label or target[len("!subteam^") :])
            if target.startswith("!date^"):
                return label or target
            return "@" + (label or target[1:])
        if label:
            return label
        return target.removeprefix("mailto:")

    plain = _MARKUP.sub(replace, text)
    plain = html.unescape(plain) if "&" in plain else plain
    plain = re.sub(r"[ \t]{2,}", " ", plain)
    return plain.strip()


def mentions_user(text: str, user_id: str) -> bool:
    return bool(user_id) and (f"<@{user_id}>" in text or f"<@{user_id}|" in text)


def text_of(mapping: Mapping[str, Any], key: str) -> str:
    """`mapping[key]` when it is a string (or a number, as Slack sends some ids), else ""."""
    value = mapping.get(key)
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def mapping_of(mapping: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """`mapping[key]` when it is an object, else an empty one."""
    value = mapping.get(key)
    return value if isinstance(value, Mapping) else {}


def ts_to_datetime(ts: str | float | None, default: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), tz=UTC) if ts not in (None, "") else default
    except (TypeError, ValueError, OverflowError, OSError):
        return default


def _by_a_person(message: Mapping[str, Any], bot_user_id: str) -> bool:
    """Written by a person: no bot id or profile, a user that is not the bot."""
    if message.get("bot_id") or message.get("bot_profile") or text_of(message, "subtype") == "bot_message":
        return False
    user = text_of(message, "user")
    return bool(user) and not (bot_user_id and user == bot_user_id)


def is_human_message(event: Mapping[str, Any], *, bot_user_id: str = "") -> bool:
    """A message a person wrote (not a bot, not the bot itself, not a join/edit/delete notice)."""
    if text_of(event, "subtype") not in USER_TEXT_SUBTYPES:
        return False
    return _by_a_person(event, bot_user_id) and not event.get("hidden")


def conversation_for(channel: str, *, thread_root: str, kind: ChannelKind) -> ConversationKey:
    """A DM is one conversation; in a channel every thread is its own conversation."""
    if kind == ChannelKind.DM:
        return ConversationKey(Platform.SLACK, channel, "")
    return ConversationKey(Platform.SLACK, channel, thread_root)


def attachments_of(message: Mapping[str, Any]) -> tuple[Attachment, ...]:
    """The files of a message (`files`, as in a file_share), fetchable with the bot token from `url`."""
    files = message.get("files")
    out: list[Attachment] = []
    for f in files if isinstance(files, list) else ():
        if not isinstance(f, Mapping) or not text_of(f, "id"):
            continue
        mime = text_of(f, "mimetype")
        size = f.get("size")
        out.append(
            Attachment(
                kind="photo" if mime.startswith("image/") else "document",
                file_id=text_of(f, "id"),
                file_name=text_of(f, "name") or text_of(f, "title"),
                mime_type=mime,
                url=text_of(f, "url_private_download") or text_of(f, "url_private"),
                size=size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else 0,
                platform=Platform.SLACK.value,
            )
        )
    return tuple(out)


def _display_name(event: Mapping[str, Any]) -> str:
    profile = mapping_of(event, "user_profile")
    return text_of(profile, "display_name") or text_of(profile, "real_name") or text_of(profile, "name")


def rich_text_of(text: str, *, bot_user_id: str = "") -> str:
    """The text as light Markdown (see mrkdwn.to_markdown), without the bot's own mention."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", "", text)
    return to_markdown(text).strip()


def message_from_event(
    event: Mapping[str, Any],
    *,
    event_id: str,
    roles: ChannelRoles,
    bot_user_id: str,
    now: datetime,
) -> IncomingMessage:
    """Convert an `app_mention` or `message` event (already filtered by is_human_message)."""
    channel = text_of(event, "channel")
    ts = text_of(event, "ts") or text_of(event, "event_ts")
    thread_ts = text_of(event, "thread_ts")
    kind = roles.kind_of(channel, text_of(event, "channel_type"))
    raw_text = text_of(event, "text")
    return IncomingMessage(
        platform=Platform.SLACK,
        conversation=conversation_for(channel, thread_root=thread_ts or ts, kind=kind),
        sender=Sender(id=text_of(event, "user"), display_name=_display_name(event)),
        text=normalize_text(raw_text, bot_user_id=bot_user_id),
        rich_text=rich_text_of(raw_text, bot_user_id=bot_user_id),
        external_id=event_id or f"msg:{channel}:{ts}",
        dedupe_key=f"{channel}:{ts}",
        timestamp=ts_to_datetime(ts, now),
        attachments=attachments_of(event),
        channel_kind=kind,
        message_id=ts,
        raw=dict(event),
    )


def change_from_event(
    event: Mapping[str, Any],
    *,
    event_id: str,
    roles: ChannelRoles,
    bot_user_id: str,
    now: datetime,
) -> IncomingMessage | None:
    """A person's edit (`message_changed`) or deletion (`message_deleted`) of a thread reply in the
    support channel, so the relay can follow it; None for anything else (elsewhere, bots, roots)."""
    subtype = text_of(event, "subtype")
    channel = text_of(event, "channel")
    if subtype not in CHANGE_SUBTYPES or roles.kind_of(channel, text_of(event, "channel_type")) != (
        ChannelKind.SUPPORT
    ):
        return None
    deleted = subtype == "message_deleted"
    message = mapping_of(event, "previous_message" if deleted else "message")
    ts = text_of(event, "deleted_ts") if deleted else text_of(message, "ts")
    ts = ts or text_of(message, "ts")
    thread_ts = text_of(message, "thread_ts")
    if not ts or not thread_ts or thread_ts == ts or not _by_a_person(message, bot_user_id):
        return None
    raw_text = "" if deleted else text_of(message, "text")
    if not deleted and raw_text == text_of(mapping_of(event, "previous_message"), "text"):
        return None  # an unfurl or a reply count changed, not the words
    event_ts = text_of(event, "ts") or text_of(event, "event_ts")
    return IncomingMessage(
        platform=Platform.SLACK,
        conversation=conversation_for(channel, thread_root=thread_ts, kind=ChannelKind.SUPPORT),
        sender=Sender(id=text_of(message, "user"), display_name=_display_name(message)),
        text=normalize_text(raw_text, bot_user_id=bot_user_id),
        rich_text=rich_text_of(raw_text, bot_user_id=bot_user_id),
        external_id=event_id or f"{subtype}:{channel}:{event_ts or ts}",
        dedupe_key=f"{channel}:{event_ts}" if event_ts else "",
        timestamp=ts_to_datetime(event_ts, now),
        attachments=() if deleted else attachments_of(message),
        channel_kind=ChannelKind.SUPPORT,
        edited=not deleted,
        deleted=deleted,
        edited_message_id=ts,
        message_id=ts,
        raw=dict(event),
    )


def _action_value(action: Mapping[str, Any]) -> str:
    """The pressed button's value; for a person picker, its value and the picked user: "<value>:<user>"."""
    picked = text_of(action, "selected_user")
    action_id = text_of(action, "action_id")
    marker = f"{BUTTON_ACTION_PREFIX}{PICKER_MARK}"
    if picked and action_id.startswith(marker):
        return f"{action_id[len(marker) :]}:{picked}"
    return text_of(action, "value") or text_of(mapping_of(action, "selected_option"), "value")


def message_from_block_action(
    body: Mapping[str, Any], action: Mapping[str, Any], *, roles: ChannelRoles, now: datetime
) -> IncomingMessage:
    """Convert one clicked button of a `block_actions` payload (fields of the wrong type count as absent)."""
    container = mapping_of(body, "container")
    message = mapping_of(body, "message")
    channel_obj = mapping_of(body, "channel")
    channel = text_of(container, "channel_id") or text_of(channel_obj, "id")
    message_ts = text_of(container, "message_ts") or text_of(message, "ts")
    thread_root = text_of(container, "thread_ts") or text_of(message, "thread_ts") or message_ts
    channel_type = (
        "im" if text_of(channel_obj, "name") == "directmessage" or channel.startswith("D") else "channel"
    )
    kind = roles.kind_of(channel, channel_type)
    user = mapping_of(body, "user")
    action_ts = text_of(action, "action_ts")
    return IncomingMessage(
        platform=Platform.SLACK,
        conversation=conversation_for(channel, thread_root=thread_root, kind=kind),
        sender=Sender(
            id=text_of(user, "id") or text_of(body, "user"),
            display_name=text_of(user, "name") or text_of(user, "username"),
        ),
        text="",
        external_id=f"action:{message_ts}:{action_ts}",
        timestamp=ts_to_datetime(action_ts, now),
        channel_kind=kind,
        callback_data=_action_value(action),
        callback_id=text_of(action, "action_id"),
        message_id=message_ts,
        raw={
            "type": "block_actions",
            "action": dict(action),
            "label": text_of(mapping_of(action, "text"), "text"),
            "channel": channel,
            "message_ts": message_ts,
            "trigger_id": text_of(body, "trigger_id"),
            "response_url": text_of(body, "response_url"),
        },
    )

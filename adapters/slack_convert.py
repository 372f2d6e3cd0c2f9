"""Pure conversions between Slack payloads and core messages (no I/O, no SDK objects)."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dialogue.messages import (
    Attachment,
    ChannelKind,
    ConversationKey,
    IncomingMessage,
    OutgoingMessage,
    Platform,
    Sender,
)

BUTTON_ACTION_PREFIX = "opsbot_btn_"
SECTION_TEXT_LIMIT = 3000  # Block Kit section text limit
FALLBACK_TEXT_LIMIT = 3900  # Slack truncates `text` at 40k, but notifications are short
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
BUTTONS_PER_ACTIONS_BLOCK = 25

# Message subtypes that carry text a person wrote; everything else (joins, edits, deletions,
# topic changes, bot messages) is ignored.
USER_TEXT_SUBTYPES = frozenset({"", "file_share", "thread_broadcast", "me_message"})

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


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as markup control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def ts_to_datetime(ts: str | float | None, default: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), tz=UTC) if ts not in (None, "") else default
    except (TypeError, ValueError, OverflowError):
        return default


def is_human_message(event: Mapping[str, Any], *, bot_user_id: str = "") -> bool:
    """A message a person wrote (not a bot, not the bot itself, not a join/edit/delete notice)."""
    subtype = str(event.get("subtype") or "")
    if subtype not in USER_TEXT_SUBTYPES:
        return False
    if event.get("bot_id") or event.get("bot_profile"):
        return False
    user = str(event.get("user") or "")
    if not user or (bot_user_id and user == bot_user_id):
        return False
    return not event.get("hidden")


def conversation_for(channel: str, *, thread_root: str, kind: ChannelKind) -> ConversationKey:
    """A DM is one conversation; in a channel every thread is its own conversation."""
    if kind == ChannelKind.DM:
        return ConversationKey(Platform.SLACK, channel, "")
    return ConversationKey(Platform.SLACK, channel, thread_root)


def _attachments(event: Mapping[str, Any]) -> tuple[Attachment, ...]:
    files = event.get("files") or ()
    out: list[Attachment] = []
    for f in files:
        if not isinstance(f, Mapping) or not f.get("id"):
            continue
        mime = str(f.get("mimetype") or "")
        out.append(
            Attachment(
                kind="photo" if mime.startswith("image/") else "document",
                file_id=str(f["id"]),
                file_name=str(f.get("name") or ""),
                mime_type=mime,
                url=str(f.get("permalink") or f.get("url_private") or ""),
            )
        )
    return tuple(out)


def _display_name(event: Mapping[str, Any]) -> str:
    profile = event.get("user_profile")
    if isinstance(profile, Mapping):
        return str(profile.get("display_name") or profile.get("real_name") or profile.get("name") or "")
    return ""


def message_from_event(
    event: Mapping[str, Any],
    *,
    event_id: str,
    roles: ChannelRoles,
    bot_user_id: str,
    now: datetime,
) -> IncomingMessage:
    """Convert an `app_mention` or `message` event (already filtered by is_human_message)."""
    channel = str(event.get("channel") or "")
    ts = str(event.get("ts") or event.get("event_ts") or "")
    thread_ts = str(event.get("thread_ts") or "")
    kind = roles.kind_of(channel, str(event.get("channel_type") or ""))
    user = str(event.get("user") or "")
    return IncomingMessage(
        platform=Platform.SLACK,
        conversation=conversation_for(channel, thread_root=thread_ts or ts, kind=kind),
        sender=Sender(id=user, display_name=_display_name(event)),
        text=normalize_text(str(event.get("text") or ""), bot_user_id=bot_user_id),
        external_id=event_id or f"msg:{channel}:{ts}",
        dedupe_key=f"{channel}:{ts}",
        timestamp=ts_to_datetime(ts, now),
        attachments=_attachments(event),
        channel_kind=kind,
        message_id=ts,
        raw=dict(event),
    )


def message_from_block_action(
    body: Mapping[str, Any], action: Mapping[str, Any], *, roles: ChannelRoles, now: datetime
) -> IncomingMessage:
    """Convert one clicked button of a `block_actions` payload."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel_obj = body.get("channel") or {}
    channel = str(container.get("channel_id") or channel_obj.get("id") or "")
    message_ts = str(container.get("message_ts") or message.get("ts") or "")
    thread_root = str(container.get("thread_ts") or message.get("thread_ts") or message_ts)
    channel_type = (
        "im" if channel_obj.get("name") == "directmessage" or channel.startswith("D") else "channel"
    )
    kind = roles.kind_of(channel, channel_type)
    user = body.get("user") or {}
    action_ts = str(action.get("action_ts") or "")
    label = action.get("text") or {}
    return IncomingMessage(
        platform=Platform.SLACK,
        conversation=conversation_for(channel, thread_root=thread_root, kind=kind),
        sender=Sender(
            id=str(user.get("id") or ""), display_name=str(user.get("name") or user.get("username") or "")
        ),
        text="",
        external_id=f"action:{message_ts}:{action_ts}",
        timestamp=ts_to_datetime(action_ts, now),
        channel_kind=kind,
        callback_data=str(action.get("value") or action.get("selected_option", {}).get("value") or ""),
        callback_id=str(action.get("action_id") or ""),
        message_id=message_ts,
        raw={
            "type": "block_actions",
            "action": dict(action),
            "label": str(label.get("text") or "") if isinstance(label, Mapping) else "",
            "channel": channel,
            "message_ts": message_ts,
            "trigger_id": body.get("trigger_id"),
            "response_url": body.get("response_url"),
        },
    )


# --- outgoing ----------------------------------------------------------------------------------


def render_table(table: Sequence[Sequence[str]]) -> str:
    """A fixed-width text table (header, rule, rows)."""
    if not table:
        return ""
    width = max(len(r) for r in table)
    rows = [[str(c) for c in r] + [""] * (width - len(r)) for r in table]
    widths = [max(len(r[i]) for r in rows) for i in range(width)]
    lines = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _chunks(text: str, limit: int) -> list[str]:
    """Split text at line breaks into pieces of at most `limit` characters."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def build_blocks(message: OutgoingMessage) -> list[dict[str, Any]]:
    """Block Kit for a reply: section(s) of text, the table as a code block, buttons as actions."""
    custom = message.metadata.get("slack_blocks")
    if isinstance(custom, list) and custom:
        return [dict(b) for b in custom]
    blocks: list[dict[str, Any]] = []
    if message.text.strip():
        for piece in _chunks(escape_mrkdwn(message.text), SECTION_TEXT_LIMIT):
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": piece}})
    if message.table:
        for piece in _chunks(escape_mrkdwn(render_table(message.table)), SECTION_TEXT_LIMIT - 8):
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"```\n{piece}\n```"}})
    if message.buttons:
        elements: list[dict[str, Any]] = []
        for i, button in enumerate(message.buttons):
            element: dict[str, Any] = {
                "type": "button",
                "text": {
                    "type": "plain_text",
                    "text": button.label[:BUTTON_LABEL_LIMIT] or button.value[:20],
                },
                "value": button.value[:BUTTON_VALUE_LIMIT],
                "action_id": f"{BUTTON_ACTION_PREFIX}{i}",
            }
            if button.style in ("primary", "danger"):
                element["style"] = button.style
            elements.append(element)
        for start in range(0, len(elements), BUTTONS_PER_ACTIONS_BLOCK):
            blocks.append(
                {"type": "actions", "elements": elements[start : start + BUTTONS_PER_ACTIONS_BLOCK]}
            )
    return blocks


def fallback_text(message: OutgoingMessage) -> str:
    """Plain `text` for notifications and clients without Block Kit."""
    parts = [message.text.strip()] if message.text.strip() else []
    if message.table:
        parts.append(render_table(message.table))
    if message.buttons and not parts:
        parts.append(" / ".join(b.label for b in message.buttons))
    text = escape_mrkdwn("\n".join(parts)) or " "
    return text[:FALLBACK_TEXT_LIMIT]

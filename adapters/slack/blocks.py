"""Core outgoing messages -> Block Kit and fallback text (pure; the only place Block Kit is built).

Without a card: sections of text, the table as a Block Kit table block (a code block when it is too big
for one), buttons as an actions block; the notification text has the table's rows as a bullet list,
since a notification cannot show a table. With a card,
the card is the body (header, label/value fields, a section per paragraph, small print as context)
and `text` only the notification fallback. Every Block Kit text limit is respected by splitting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from adapters.markdown import split_markdown, to_plain
from adapters.slack.mrkdwn import from_markdown
from adapters.text import render_table, split_lines, split_text
from dialogue.messages import Button, Card, OutgoingMessage
from dialogue.nlg.rows import rows_as_list

BUTTON_ACTION_PREFIX = "opsbot_btn_"
PICKER_MARK = "pick:"  # a users_select carries its value in its action_id: it has no value of its own
HEADER_TEXT_LIMIT = 150  # a header block's plain_text
SECTION_TEXT_LIMIT = 3000  # a section's text
FIELD_TEXT_LIMIT = 2000  # one of a section's fields
FIELDS_PER_SECTION = 10
CONTEXT_ELEMENTS_LIMIT = 10
FALLBACK_TEXT_LIMIT = 3900  # Slack truncates `text` at 40k, but notifications are short
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
BUTTONS_PER_ACTIONS_BLOCK = 25
TABLE_MAX_ROWS = 100  # a table block's rows (header included)
TABLE_MAX_COLUMNS = 20
TABLE_CELL_LIMIT = 500  # kept short: a table cell is read at a glance
_NUMERIC = re.compile(r"^[-+−]?(?:[A-Z]{3} )?[\d,.]+(?:%| ?[–-] ?[\d,.]+)?$")
_CODE_FENCE = 8  # "```\n" + "\n```"
_MARKDOWN_PIECE = 2500  # Markdown source per section: its mrkdwn (escapes included) stays under 3000

Block = dict[str, Any]


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as markup control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _sections(text: str) -> list[Block]:
    return [{"type": "section", "text": _mrkdwn(piece)} for piece in split_text(text, SECTION_TEXT_LIMIT)]


def card_blocks(card: Card) -> list[Block]:
    """A card as Block Kit: header, fields (10 per section), one section per paragraph, context."""
    blocks: list[Block] = []
    if card.title.strip():
        title = card.title.strip()
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": title[:HEADER_TEXT_LIMIT]}})
    fields = [
        _mrkdwn(f"*{escape_mrkdwn(label)}*\n{escape_mrkdwn(value)}"[:FIELD_TEXT_LIMIT])
        for label, value in card.fields
    ]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]})
    for section in card.sections:
        if section.strip():
            blocks.extend(_sections(escape_mrkdwn(section)))
    context = [_mrkdwn(escape_mrkdwn(line)[:SECTION_TEXT_LIMIT]) for line in card.context if line.strip()]
    for start in range(0, len(context), CONTEXT_ELEMENTS_LIMIT):
        blocks.append({"type": "context", "elements": context[start : start + CONTEXT_ELEMENTS_LIMIT]})
    return blocks


def table_blocks(table: Sequence[Sequence[str]]) -> list[Block]:
    """A table as one Block Kit table block (header row first; number columns aligned right).

    A table too big for a table block becomes monospace code blocks (columns aligned by display width).
    """
    if not table:
        return []
    columns = max(len(row) for row in table)
    if len(table) > TABLE_MAX_ROWS or columns > TABLE_MAX_COLUMNS:
        return _code_blocks(table)
    cells = [[str(row[i]) if i < len(row) else "" for i in range(columns)] for row in table]
    rows = [[{"type": "raw_text", "text": cell[:TABLE_CELL_LIMIT] or " "} for cell in row] for row in cells]
    block: Block = {"type": "table", "rows": rows}
    body = cells[1:]
    if body:
        block["column_settings"] = [
            {"align": "right"}
            if all(_NUMERIC.match(row[i]) for row in body if row[i])
            else {"align": "left", "is_wrapped": True}
            for i in range(columns)
        ]
    return [block]


def _code_blocks(table: Sequence[Sequence[str]]) -> list[Block]:
    text = escape_mrkdwn(render_table(table))
    return [
        {"type": "section", "text": _mrkdwn(f"```\n{piece}\n```")}
        for piece in split_lines(text, SECTION_TEXT_LIMIT - _CODE_FENCE)
    ]


def button_blocks(buttons: Sequence[Button]) -> list[Block]:
    """Buttons as actions blocks; each action_id starts with BUTTON_ACTION_PREFIX."""
    elements: list[Block] = []
    for i, button in enumerate(buttons):
        if button.picks_user:
            elements.append(
                {
                    "type": "users_select",
                    "placeholder": {"type": "plain_text", "text": button.label[:BUTTON_LABEL_LIMIT]},
                    "action_id": f"{BUTTON_ACTION_PREFIX}{PICKER_MARK}{button.value}"[:255],
                }
            )
            continue
        element: Block = {
            "type": "button",
            "text": {"type": "plain_text", "text": button.label[:BUTTON_LABEL_LIMIT] or button.value[:20]},
            "value": button.value[:BUTTON_VALUE_LIMIT],
            "action_id": f"{BUTTON_ACTION_PREFIX}{i}",
        }
        if button.style in ("primary", "danger"):
            element["style"] = button.style
        elements.append(element)
    return [
        {"type": "actions", "elements": elements[start : start + BUTTONS_PER_ACTIONS_BLOCK]}
        for start in range(0, len(elements), BUTTONS_PER_ACTIONS_BLOCK)
    ]


def markdown_blocks(source: str) -> list[Block]:
    """Light Markdown as mrkdwn sections, split before converting so no section cuts a format mark."""
    pieces = (from_markdown(piece) for piece in split_markdown(source, _MARKDOWN_PIECE))
    return [
        {"type": "section", "text": _mrkdwn(text[:SECTION_TEXT_LIMIT])} for text in pieces if text.strip()
    ]


def mentions(message: OutgoingMessage) -> str:
    """Slack mentions of `message.notify`: "user:U1" is <@U1>, "group:S1" is <!subteam^S1>."""
    marks = []
    for who in message.notify:
        kind, _, ident = who.partition(":")
        if ident.isalnum() and kind == "user":
            marks.append(f"<@{ident}>")
        elif ident.isalnum() and kind == "group":
            marks.append(f"<!subteam^{ident}>")
    return " ".join(marks)


def build_blocks(message: OutgoingMessage) -> list[Block]:
    """Block Kit for a message: mentions, the card (or the text), the table, then the buttons."""
    heads = [{"type": "section", "text": _mrkdwn(mentions(message))}] if mentions(message) else []
    return heads + _body_blocks(message)


def _body_blocks(message: OutgoingMessage) -> list[Block]:
    if message.card is not None:
        blocks = card_blocks(message.card)
    elif not message.text.strip():
        blocks = []
    elif message.format == "markdown":
        blocks = markdown_blocks(message.text)
    else:
        blocks = _sections(escape_mrkdwn(message.text))
    return blocks + table_blocks(message.table) + button_blocks(message.buttons)


def comment_text(message: OutgoingMessage) -> str:
    """The text that goes with uploaded files (mrkdwn); "" for none."""
    if message.format == "markdown" and message.card is None and message.text.strip():
        return from_markdown(message.text)[:FALLBACK_TEXT_LIMIT]
    text = fallback_text(message)
    return "" if text == " " else text


def card_text(card: Card) -> str:
    """A card as plain lines (the fallback of a card without text)."""
    lines = [card.title.strip()] if card.title.strip() else []
    lines.extend(f"{label}: {value}" for label, value in card.fields)
    lines.extend(section for section in card.sections if section.strip())
    return "\n".join(lines)


def fallback_text(message: OutgoingMessage) -> str:
    """Plain `text` for notifications and clients without Block Kit."""
    text = to_plain(message.text) if message.format == "markdown" else message.text
    parts = [text.strip()] if text.strip() else []
    if not parts and message.card is not None:
        parts.append(card_text(message.card))
    if message.table:
        parts.append(rows_as_list(message.table) or render_table(message.table))
    if message.buttons and not parts:
        parts.append(" / ".join(b.label for b in message.buttons))
    text = escape_mrkdwn("\n".join(p for p in parts if p)) or " "
    marks = mentions(message)
    return (f"{marks} {text}" if marks else text)[:FALLBACK_TEXT_LIMIT]

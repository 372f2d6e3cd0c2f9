"""Core outgoing messages -> Telegram HTML parts and inline keyboards (pure, no I/O).

Plain text is escaped, so `<`, `&` and `*` arrive as written; `format="markdown"` text is rendered
from light Markdown to <b> <i> <s> <code> <pre> <a href>. With a card, the card is the message body
and `text` only its fallback elsewhere: a bold title, "label: value" lines, paragraphs, italic small
print. A table becomes a <pre> block when it fits a phone's width (TABLE_MAX_WIDTH columns); a wider one
would wrap mid-row, so its rows come as a bullet list instead (never both). Limits are checked on the
visible text, which is what Telegram counts. Every part also carries its plain text, sent instead when
Telegram cannot parse the HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.markdown import Style, render, split_markdown, to_plain
from adapters.text import display_width, render_table, split_lines, split_text, utf16_len
from dialogue.messages import Button, Card, OutgoingMessage
from dialogue.nlg.rows import rows_as_list

# Telegram counts at most 4096 characters of text after entity parsing (UTF-16 code units).
MAX_MESSAGE_LENGTH = 4096
# Telegram rejects callback_data longer than 64 bytes.
MAX_CALLBACK_DATA_BYTES = 64

# The widest monospace table shown as one: about what a phone shows of a <pre> line without wrapping.
TABLE_MAX_WIDTH = 44
# Telegram shows at most 1024 characters of a caption.
MAX_CAPTION_LENGTH = 1024
_LINK_SCHEMES = frozenset({"http", "https", "tg", "mailto"})

# A block of the message: its plain text and the HTML tag that wraps it ("" for none).
_Block = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Part:
    """One message's worth: the HTML to send and the plain text a reader would see."""

    html: str
    plain: str


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _link(url: str, label: str) -> str:
    label = label or _escape(url)
    if urlsplit(url).scheme.lower() not in _LINK_SCHEMES:
        return f"{label} ({_escape(url)})"
    return f'<a href="{html.escape(url, quote=True)}">{label}</a>'


TELEGRAM_HTML = Style(
    text=_escape,
    strong=("<b>", "</b>"),
    em=("<i>", "</i>"),
    strike=("<s>", "</s>"),
    code=lambda code: f"<code>{_escape(code)}</code>",
    fence=lambda code: f"<pre>{_escape(code)}</pre>",
    link=_link,
)


def markdown_to_html(source: str) -> str:
    """Light Markdown as Telegram HTML (everything escaped, then the few tags Telegram knows)."""
    return render(source, TELEGRAM_HTML)


def card_blocks(card: Card) -> list[_Block]:
    """The blocks of a card, in reading order."""
    blocks: list[_Block] = [(card.title, "b")] if card.title.strip() else []
    if card.fields:
        blocks.append(("\n".join(f"{label}: {value}" for label, value in card.fields), ""))
    blocks.extend((section, "") for section in card.sections if section.strip())
    if card.context:
        blocks.append(("\n".join(card.context), "i"))
    return blocks


_LIST = "list"  # a table's rows as bullet lines: no tag, and right under the sentence that introduces them


def _wrap(text: str, tag: str) -> str:
    escaped = html.escape(text, quote=False)
    return f"<{tag}>{escaped}</{tag}>" if tag and tag != _LIST else escaped


def _markdown_parts(source: str, limit: int) -> list[Part]:
    parts = [Part(markdown_to_html(piece), to_plain(piece)) for piece in split_markdown(source, limit)]
    return [part for part in parts if part.plain.strip()]


def render_parts(message: OutgoingMessage, limit: int = MAX_MESSAGE_LENGTH) -> list[Part]:
    """The parts (sendMessage calls) of one outgoing message, in order.

    A block that fits whole after the previous part joins it (after a blank line); a longer one starts
    new parts, split at paragraphs (preformatted blocks at lines, Markdown before it is rendered).
    """
    parts: list[Part] = []
    if message.card is not None:
        blocks = card_blocks(message.card)
    elif message.format == "markdown" and message.text.strip():
        parts, blocks = _markdown_parts(message.text, limit), []
    else:
        blocks = [(message.text, "")] if message.text.strip() else []
    blocks.extend(table_blocks(message.table))
    for text, tag in blocks:
        gap = "\n" if tag == _LIST else "\n\n"
        if parts and utf16_len(parts[-1].plain) + len(gap) + utf16_len(text) <= limit:
            last = parts[-1]
            parts[-1] = Part(f"{last.html}{gap}{_wrap(text, tag)}", f"{last.plain}{gap}{text}")
            continue
        pieces = split_lines(text, limit) if tag == "pre" else split_text(text, limit)
        parts.extend(Part(_wrap(piece, tag), piece) for piece in pieces)
    return parts


def table_blocks(table: Sequence[Sequence[str]], max_width: int = TABLE_MAX_WIDTH) -> list[_Block]:
    """The rows once: a <pre> table that fits `max_width` columns, else a bullet list of the same rows."""
    text = render_table(table)
    if not text:
        return []
    if max(display_width(line) for line in text.splitlines()) <= max_width:
        return [(text, "pre")]
    listed = rows_as_list(table)
    return [(listed, _LIST)] if listed else []


def inline_keyboard(buttons: Sequence[Button], *, per_row: int = 3) -> list[list[dict[str, str]]]:
    """Buttons as Telegram inline keyboard rows (callback_data = button value)."""
    rows: list[list[dict[str, str]]] = []
    for button in buttons:
        data = button.value
        if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise ValueError(f"callback data longer than {MAX_CALLBACK_DATA_BYTES} bytes: {data[:20]!r}...")
        if not rows or len(rows[-1]) >= per_row:
            rows.append([])
        rows[-1].append({"text": button.label, "callback_data": data})
    return rows


def keyboard_markup(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """The reply_markup for `buttons` (None without buttons); ValueError for oversized callback data."""
    rows = inline_keyboard(buttons) if buttons else []
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row] for row in rows]
    )

"""Outgoing Telegram formatting (HTML, splitting, tables, keyboards) and send pacing."""

from __future__ import annotations

import asyncio
import html
import time
import unicodedata
from collections.abc import Awaitable, Callable, Sequence

from dialogue.messages import Button, OutgoingMessage

# Telegram counts at most 4096 characters of text after entity parsing (UTF-16 code units).
MAX_MESSAGE_LENGTH = 4096
# Telegram rejects callback_data longer than 64 bytes.
MAX_CALLBACK_DATA_BYTES = 64


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_fitting(text: str, limit: int) -> int:
    """The largest index i such that text[:i] is at most `limit` UTF-16 code units long."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split plain text into parts of at most `limit`, preferring paragraph, then line, then word breaks."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    remaining = text
    while utf16_len(remaining) > limit:
        hard = _prefix_fitting(remaining, limit)
        window = remaining[:hard]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > 0:
                cut = position
                break
        if cut <= 0:
            cut = hard
        part = remaining[:cut].rstrip()
        if part:
            parts.append(part)
        remaining = remaining[cut:].lstrip("\n ")
    if remaining.strip() or not parts:
        parts.append(remaining)
    return parts


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def render_table(rows: Sequence[Sequence[str]]) -> str:
    """Plain monospace rendering of a table (header row first), columns padded to display width."""
    if not rows:
        return ""
    columns = max(len(row) for row in rows)
    cells = [[str(row[i]) if i < len(row) else "" for i in range(columns)] for row in rows]
    widths = [max(_display_width(row[i]) for row in cells) for i in range(columns)]

    def line(row: list[str]) -> str:
        padded = [cell + " " * (widths[i] - _display_width(cell)) for i, cell in enumerate(row)]
        return "  ".join(padded).rstrip()

    lines = [line(cells[0])]
    if len(cells) > 1:
        lines.append("  ".join("-" * width for width in widths))
        lines.extend(line(row) for row in cells[1:])
    return "\n".join(lines)


def _pre(text: str) -> str:
    return f"<pre>{html.escape(text, quote=False)}</pre>"


def render_html_parts(message: OutgoingMessage, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """The HTML bodies of the sendMessage calls for one outgoing message, in order.

    Text is escaped (so `<`, `&` and `*` arrive as written); a table becomes a <pre> block after the text.
    Limits are checked on the visible text, which is what Telegram counts.
    """
    plain_parts = split_text(message.text, limit) if message.text.strip() else []
    html_parts = [html.escape(part, quote=False) for part in plain_parts]
    table = render_table(message.table)
    if table:
        if plain_parts and utf16_len(plain_parts[-1]) + 2 + utf16_len(table) <= limit:
            html_parts[-1] = html_parts[-1] + "\n\n" + _pre(table)
        else:
            html_parts.extend(_pre(chunk) for chunk in split_text(table, limit))
    return html_parts


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


Sleep = Callable[[float], Awaitable[None]]


class SendLimiter:
    """Paces sends: one message per `per_chat_interval` seconds per chat and `global_rate` per second overall.

    A caller first waits for its chat's slot, then reserves the next global slot, so a busy chat never holds
    back the others. Slots are reserved before sleeping, so concurrent callers queue without a lock.
    The clock and sleep are injectable so tests never wait for real.
    """

    def __init__(
        self,
        *,
        per_chat_interval: float,
        global_rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if per_chat_interval < 0 or global_rate <= 0:
            raise ValueError("per_chat_interval must be >= 0 and global_rate > 0")
        self._per_chat = per_chat_interval
        self._global_gap = 1.0 / global_rate
        self._clock = clock
        self._sleep = sleep
        self._next_global = float("-inf")
        self._next_chat: dict[str, float] = {}

    async def acquire(self, chat_id: str) -> None:
        """Wait until one more message may be sent to `chat_id`."""
        now = self._clock()
        if len(self._next_chat) > 10_000:
            self._next_chat = {chat: at for chat, at in self._next_chat.items() if at > now}
        chat_slot = max(now, self._next_chat.get(chat_id, float("-inf")))
        self._next_chat[chat_id] = chat_slot + self._per_chat
        if chat_slot > now:
            await self._sleep(chat_slot - now)
        now = self._clock()
        global_slot = max(now, self._next_global)
        self._next_global = global_slot + self._global_gap
        self._next_chat[chat_id] = max(self._next_chat[chat_id], global_slot + self._per_chat)
        if global_slot > now:
            await self._sleep(global_slot - now)

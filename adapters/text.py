"""Plain-text helpers shared by the adapters: lengths, splitting, and monospace tables.

Lengths are UTF-16 code units, which is what Telegram counts and what Slack's (JavaScript) limits
count; a part that fits one platform fits the other. Table columns are padded to display width, so
wide characters (CJK, east-asian width W or F) take two columns and tables stay aligned.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

# Telegram's message limit, the tightest of our platforms; the default for split_text.
DEFAULT_LIMIT = 4096


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (an emoji outside the BMP counts twice, a lone surrogate once)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def display_width(text: str) -> int:
    """Columns `text` takes in a monospace font: wide (W) and full-width (F) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _prefix_fitting(text: str, limit: int) -> int:
    """The largest index i such that text[:i] is at most `limit` UTF-16 code units long."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def _check(limit: int) -> None:
    if limit <= 0:
        raise ValueError("limit must be positive")


def split_text(text: str, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Split prose into parts of at most `limit`, preferring paragraph, then line, then word breaks."""
    _check(limit)
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


def split_lines(text: str, limit: int) -> list[str]:
    """Split preformatted text (a table, code) at line breaks only, keeping each line's indentation.

    A line longer than `limit` is cut hard.
    """
    _check(limit)
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while utf16_len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = _prefix_fitting(line, limit)
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def render_table(rows: Sequence[Sequence[str]]) -> str:
    """A monospace table (header row first, then a rule), columns padded to display width."""
    if not rows:
        return ""
    columns = max(len(row) for row in rows)
    cells = [[str(row[i]) if i < len(row) else "" for i in range(columns)] for row in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(columns)]

    def line(row: list[str]) -> str:
        padded = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)]
        return "  ".join(padded).rstrip()

    lines = [line(cells[0])]
    if len(cells) > 1:
        lines.append("  ".join("-" * width for width in widths))
        lines.extend(line(row) for row in cells[1:])
    return "\n".join(lines)

"""A reply's table as a bullet list, for the places that cannot show a table.

A reply carries its rows once, in `OutgoingMessage.table` (header row first); its text holds only the
sentences around them. A platform that can show a table shows it; one that cannot (a notification
text, a phone-width chat, a transcript line) shows this list of the same rows, in the table's order.
"""

from __future__ import annotations

from collections.abc import Sequence

from nlu.language import has_han

_EMPTY = {"", "-", "—"}


def rows_as_list(table: Sequence[Sequence[str]]) -> str:
    """One bullet per row: "• INV-2002 — Amount: USD 4,999.00, Status: open, Date: due 2026-12-16".

    A two-column table reads "• Orders: 12". Labels and punctuation follow the header's language.
    """
    if len(table) < 2:
        return ""
    header, body = [str(h) for h in table[0]], table[1:]
    zh = any(has_han(h) for h in header)
    colon, comma = ("：", "，") if zh else (": ", ", ")
    lines = []
    for row in body:
        cells = [str(c) for c in row]
        first = cells[0] if cells else ""
        pairs = [
            (header[i] if i < len(header) else "", cell)
            for i, cell in enumerate(cells[1:], 1)
            if cell.strip() not in _EMPTY
        ]
        if len(header) <= 2:
            rest = comma.join(cell for _, cell in pairs)
            lines.append(f"• {first}{colon}{rest}" if rest else f"• {first}")
            continue
        rest = comma.join(f"{label}{colon}{cell}" if label else cell for label, cell in pairs)
        lines.append(f"• {first} — {rest}" if rest else f"• {first}")
    return "\n".join(lines)


def with_rows(text: str, table: Sequence[Sequence[str]]) -> str:
    """The text, then its table's rows as a list (the whole reply where only text can go)."""
    listed = rows_as_list(table)
    if not listed:
        return text
    return f"{text.rstrip()}\n{listed}" if text.strip() else listed

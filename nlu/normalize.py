"""Text normalization before extraction: NFKC, one hyphen for every dash, no control characters.

`normalize` keeps a map back to the text the user wrote, so entity offsets still point into it.
Runs of characters whose normalization is one character that joins with nothing (ASCII, CJK,
full-width forms, dashes, emoji, controls, lone surrogates) are translated in bulk; any other
character is normalized with its grapheme cluster (`regex`'s \\X), which keeps combining marks and
Hangul jamo with their base as NFKC composes them. The cost is linear in the length of the text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

import regex

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u00ad\u200b\u2060\ufeff"  # soft hyphen, zero-width space, word joiner, byte-order mark
_CONTROLS = [c for c in range(0x20) if chr(c) not in "\t\n\r"] + list(range(0x7F, 0xA0))
_SURROGATES = range(0xD800, 0xE000)

# After NFKC: every dash is "-", controls are spaces, invisible characters go.
_AFTER_NFKC: dict[int, str | None] = {
    **{ord(d): "-" for d in DASHES},
    **{c: " " for c in _CONTROLS},
    **{ord(c): None for c in _INVISIBLE},
}
# Where a one-to-one translation is the whole of the normalization (checked when the table is built).
_CANDIDATES = (
    range(0x00, 0x300),  # ASCII, Latin-1 (controls, NBSP, superscripts), Latin Extended
    range(0x2000, 0x2070),  # general punctuation: spaces, dashes, quotes
    range(0x2100, 0x2800),  # letterlike, arrows, maths, technical, boxes, shapes, dingbats
    range(0x3000, 0x3040),  # CJK symbols and punctuation (ideographic space)
    range(0xFF01, 0xFF5F),  # full-width ASCII
    range(0xFFE0, 0xFFE7),  # full-width signs
    range(0x1F300, 0x1FB00),  # emoji
)


def _one_to_one(char: str) -> str | None:
    """The character's normalization when it is one character that joins with no neighbour."""
    if unicodedata.combining(char):
        return None
    out = unicodedata.normalize("NFKC", char)
    if len(out) != 1 or unicodedata.combining(out) or unicodedata.category(out) in ("Mn", "Mc", "Me"):
        return None
    translated = out.translate(_AFTER_NFKC)
    return translated if len(translated) == 1 else None


def _ranges(codes: list[int]) -> str:
    """A regex character class body for these (sorted) code points."""
    spans: list[list[int]] = []
    for code in codes:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in spans)


def _simple_table() -> tuple[dict[int, str], str]:
    table: dict[int, str] = {c: "\ufffd" for c in _SURROGATES}
    simple = [*range(0x3400, 0xA000), *_SURROGATES]  # CJK ideographs (stable), lone surrogates
    for block in _CANDIDATES:
        for code in block:
            out = _one_to_one(chr(code))
            if out is None:
                continue
            if out != chr(code):
                table[code] = out
            simple.append(code)
    return table, _ranges(sorted(simple))


_TABLE, _SIMPLE = _simple_table()
_CHANGED = re.compile(f"[{_ranges(sorted(_TABLE))}]")  # re.sub beats str.translate on non-ASCII text
# A run of simple characters (its last one stays out when a combining character may follow), else
# one grapheme cluster.
_PIECE = regex.compile(f"([{_SIMPLE}]+)(?=[{_SIMPLE}]|\\Z)|\\X")
_UNSAFE = re.compile(f"[^{_SIMPLE}]")


def clean(text: str) -> str:
    """Controls (but tab and newlines) become spaces, lone surrogates U+FFFD; the length is kept."""
    return text.translate(_CLEAN)


_CLEAN: dict[int, str] = {**{c: " " for c in _CONTROLS}, **{c: "\ufffd" for c in _SURROGATES}}


def fold(text: str) -> str:
    """The normalized text without the map back (for lexicons and patterns)."""
    return unicodedata.normalize("NFKC", text.translate(_CLEAN)).translate(_AFTER_NFKC)


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """`text` is the normalization of `original`; `span` maps offsets in `text` back to `original`.

    The text is a sequence of segments: exact ones map character by character; the others are one
    grapheme cluster each, whose normalization differs in length (U+FB01 "ﬁ" -> "fi", "e\\u0301" -> "é").
    """

    original: str
    text: str
    _starts: list[int]  # segment starts in text
    _origins: list[int]  # segment starts in original
    _ends: list[int]  # segment ends in original
    _exact: list[bool]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of `original` that text[start:end] came from."""
        start, end = max(start, 0), min(end, len(self.text))
        if start >= len(self.text):
            return len(self.original), len(self.original)
        first = bisect_right(self._starts, start) - 1
        begin = self._origins[first] + (start - self._starts[first] if self._exact[first] else 0)
        if end <= start:
            return begin, begin
        last = bisect_right(self._starts, end - 1) - 1
        finish = self._origins[last] + (end - self._starts[last]) if self._exact[last] else self._ends[last]
        return begin, finish


def normalize(text: str) -> NormalizedText:
    """NFKC, dashes as "-", controls as spaces, lone surrogates as U+FFFD, invisible characters gone."""
    if _UNSAFE.search(text) is None:
        out = _translate(text)
        return NormalizedText(text, out, [0], [0], [len(text)], [True]) if text else _EMPTY
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    ends: list[int] = []
    exact: list[bool] = []
    length = 0
    for m in _PIECE.finditer(text):
        piece = m.group()
        if m.group(1) is not None:  # translated one to one
            out = _translate(piece)
            is_exact = True
        else:
            out = unicodedata.normalize("NFKC", piece).translate(_AFTER_NFKC)
            is_exact = out == piece or len(out) == len(piece) == 1
        if not out:
            continue
        if is_exact and exact and exact[-1] and ends[-1] == m.start():
            ends[-1] = m.end()
        else:
            starts.append(length)
            origins.append(m.start())
            ends.append(m.end())
            exact.append(is_exact)
        pieces.append(out)
        length += len(out)
    return NormalizedText(text, "".join(pieces), starts, origins, ends, exact)


_EMPTY = NormalizedText("", "", [], [], [], [])


def _translate(run: str) -> str:
    return _CHANGED.sub(lambda m: _TABLE[ord(m.group())], run)


def cut_width(text: str, width: int) -> str:
    """`cut` to at most `width` display columns: a wide (CJK, emoji) character takes two."""
    used = 0
    for i, ch in enumerate(text[:width]):
        used += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used > width:
            return cut(text, i)
    return cut(text, width)


def cut(text: str, limit: int) -> str:
    """At most `limit` characters of text, ending before a space or punctuation when one is near."""
    if len(text) <= limit:
        return text
    floor = max(0, limit - 64)
    for boundary in (str.isspace, lambda ch: not ch.isalnum()):
        for i in range(limit, floor, -1):
            if boundary(text[i]):
                return text[:i]
    return text[:limit]

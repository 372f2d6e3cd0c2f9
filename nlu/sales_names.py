"""The customers, suppliers, categories, products and industries a sales question names, matched against
what the store holds: by the whole name or an alias ("电子产品" for Electronics), by a distinctive word of
it ("Globex" for Globex Industries), or by a close spelling of one ("Globx")."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# Words in names that name nothing by themselves ("Globex Industries" is not found by "industries").
GENERIC = frozenset(
    re.findall(
        r"\w+",
        "industries industry industrial corp corporation co company inc ltd llc limited group holdings goods "
        "supply supplies home labs lab foods food software health logistics hospitality airlines imports "
        "construction edu electronics textiles packaging the and of set unit kit pro plus new big small",
    )
)
MIN_WORD = 4  # shorter words are matched only as a whole name ("ACME" is, "Co" is not)
FUZZY_WORD = 5  # words this long may be misspelt by one letter or two
FUZZY_CUTOFF = 0.83


@dataclass(frozen=True, slots=True)
class NamedThing:
    dimension: str  # customer, supplier, category, product, industry
    key: str  # id, category name, SKU, industry code
    name: str  # as a reply names it
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NameMatch:
    thing: NamedThing
    start: int
    end: int
    exact: bool


@dataclass(frozen=True, slots=True)
class SalesVocabulary:
    things: tuple[NamedThing, ...]

    @classmethod
    def of(cls, things: Iterable[NamedThing]) -> SalesVocabulary:
        return cls(tuple(things))


@lru_cache(maxsize=8192)  # the store's names change by import, not by message: compiled once each
def _pattern(word: str) -> re.Pattern[str]:
    escaped = re.escape(word)
    if word.isascii():
        return re.compile(r"(?<![A-Za-z0-9])" + escaped + r"(?:'s|s)?(?![A-Za-z0-9])", re.I)
    return re.compile(escaped)


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0).lower(), m.start(), m.end()) for m in re.finditer(r"[A-Za-z][A-Za-z'-]+", text)]


@lru_cache(maxsize=65536)  # the same words of messages meet the same names again and again
def close_enough(word: str, name_part: str) -> bool:
    """A misspelling of `name_part`: difflib's ratio (2 * matching characters / both lengths) at least
    FUZZY_CUTOFF. Two upper bounds of it go first, as difflib.get_close_matches orders them (lengths
    alone, then the characters in common, in any order): most pairs fail them without the full match."""
    total = len(word) + len(name_part)
    if not total:
        return True
    if 2.0 * min(len(word), len(name_part)) / total < FUZZY_CUTOFF:
        return False
    if 2.0 * sum((Counter(word) & Counter(name_part)).values()) / total < FUZZY_CUTOFF:
        return False
    return difflib.SequenceMatcher(None, word, name_part).ratio() >= FUZZY_CUTOFF


@dataclass(frozen=True, slots=True)
class _Index:
    """A vocabulary's words, ready to match: built once per vocabulary, not once per message."""

    exact: tuple[tuple[NamedThing, str, re.Pattern[str]], ...]  # (thing, the word lowercased, its pattern)
    parts: tuple[tuple[NamedThing, str], ...]  # distinctive words of names, lowercased


@lru_cache(maxsize=8)
def _index(vocabulary: SalesVocabulary) -> _Index:
    exact: list[tuple[NamedThing, str, re.Pattern[str]]] = []
    whole: set[str] = set()
    for thing in vocabulary.things:
        for word in (thing.name, thing.key, *thing.aliases):
            if not word or (
                thing.dimension in ("customer", "supplier") and word == thing.key and "-" not in word
            ):
                continue
            whole.add(word.lower())
            if len(word) < 2 or (word.isascii() and len(word) < 3):
                continue
            exact.append((thing, word.lower() if word.isascii() else word, _pattern(word)))
    parts: list[tuple[NamedThing, str]] = []
    for thing in vocabulary.things:
        if thing.dimension not in ("customer", "supplier", "product"):
            continue
        for part in re.findall(r"[A-Za-z][A-Za-z-]+", thing.name):
            low = part.lower()
            if len(low) < MIN_WORD or low in GENERIC or low in whole:
                continue
            parts.append((thing, low))
    return _Index(tuple(exact), tuple(parts))


def find_names(text: str, vocabulary: SalesVocabulary) -> tuple[NameMatch, ...]:
    """What the text names, each once, in text order; a longer match wins over one inside it."""
    index = _index(vocabulary)
    candidates: list[NameMatch] = []
    # A word absent from the text cannot match: on ASCII text, an ASCII word's case-insensitive pattern
    # needs the word lowercased in the text lowercased; a non-ASCII word's pattern needs the word itself.
    ascii_text, lowered = text.isascii(), text.lower()
    for thing, word, pattern in index.exact:
        if word.isascii():
            if ascii_text and word not in lowered:
                continue
        elif word not in text:
            continue
        for m in pattern.finditer(text):
            candidates.append(NameMatch(thing, m.start(), m.end(), True))
    words = _words(text)
    for thing, low in index.parts:
        for word, start, _end in words:
            stem = word.removesuffix("'s")
            if stem == low or (
                len(low) >= FUZZY_WORD
                and len(stem) >= FUZZY_WORD
                and stem not in GENERIC
                and close_enough(stem, low)
            ):
                candidates.append(NameMatch(thing, start, start + len(stem), stem == low))
    chosen: list[NameMatch] = []
    for match in sorted(candidates, key=lambda c: (-(c.end - c.start), not c.exact, c.start)):
        if any(match.start < c.end and c.start < match.end for c in chosen):
            continue
        if any(c.thing == match.thing for c in chosen):
            continue
        chosen.append(match)
    return tuple(sorted(chosen, key=lambda c: c.start))

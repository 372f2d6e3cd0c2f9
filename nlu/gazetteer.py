"""The ids a company has in its data, found in a message whatever their shape.

`4500987654`, `TX-77-0345`, `SO/2026/00042`, `LED/9W/E27`: the store's order and invoice ids, SKUs and
customer and supplier ids and names go into one Aho–Corasick automaton (pyahocorasick), matched
case-insensitively on the normalized text in one pass. A match counts only as a whole token: the
characters either side are not letters or digits, nor a joiner (`-_/.`) followed by one, so
`4500987654` is not found inside `45009876541` or `4500987654-2`, while `4500987654到哪了`,
`(4500987654)` and `#4500987654.` are fine.

An id of a known shape that is not in the data (`4500987699` when the orders are ten digits) is
still an id of that type: the supplier hears "not found", exactly as for another supplier's id,
so the answer never tells which ids exist.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import ahocorasick

from nlu.normalize import normalize

# When one text is the id of several things, the first of these is meant.
ID_TYPES: tuple[str, ...] = ("order_id", "invoice_id", "sku", "customer", "supplier")
SHAPED_TYPES = frozenset({"order_id", "invoice_id", "sku"})  # names have no shape
MIN_SHAPE_LENGTH = 6  # "ab-12" and "2026" are too common to stand for an id by their shape alone
_JOINERS = "-_/."
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-_/.][A-Za-z0-9]+)*")
_DIGIT = re.compile(r"[0-9]")
_SHORT_NUMBER = re.compile(r"\d{1,4}")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class KnownId:
    """One id (or name) in the store: type is one of ID_TYPES; value is what the backend is asked with."""

    type: str
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class IdMatch:
    type: str
    start: int
    end: int
    value: str
    exact: bool  # in the data (else: only of a known shape)


@runtime_checkable
class IdLookup(Protocol):
    """Injected by the composition root: the gazetteer of the store as it is now (None: not built)."""

    def id_gazetteer(self) -> IdGazetteer | None: ...


def fold(text: str) -> str:
    """Case-folded to the same length (offsets carry over): "ß" stays, unlike str.casefold."""
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    return "".join(f if len(f := ch.casefold()) == 1 else ch for ch in text)


_SHAPE = str.maketrans("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "9" * 10 + "a" * 52)


def shape(token: str) -> str:
    """`TX-77-0345` -> `aa-99-9999`: each (ASCII) letter an `a`, each digit a `9`, the rest kept."""
    return token.translate(_SHAPE)


def key_of(text: str) -> str:
    """How an id is looked for: normalized (nlu.normalize) and case-folded."""
    if text.isascii() and text.isprintable():
        return text.strip().lower()  # what normalizing and folding would give, much faster
    return fold(normalize(text).text).strip()


def usable(key: str, type_: str) -> bool:
    """Long enough to mean this id and not a word or a small number ("12", "2026", "IT")."""
    if type_ in ("customer", "supplier") and not any(c.isdigit() for c in key):
        return len(key) >= (2 if _CJK.search(key) else 3)
    return len(key) >= 3 and not _SHORT_NUMBER.fullmatch(key)


class IdGazetteer:
    """An automaton over the folded ids; `find` gives the whole-token matches, longest first."""

    def __init__(self, ids: Iterable[KnownId]) -> None:
        rank = {t: i for i, t in enumerate(ID_TYPES)}
        automaton = ahocorasick.Automaton()
        shapes: dict[str, Counter[str]] = {}
        size = 0
        for known in ids:
            key = key_of(known.key)
            if known.type not in rank or not usable(key, known.type):
                continue
            current = automaton.get(key, None)
            if current is None or rank[known.type] < rank[current[0]]:
                automaton.add_word(key, (known.type, known.value, len(key)))
                size += current is None
            if known.type in SHAPED_TYPES and len(key) >= MIN_SHAPE_LENGTH and _DIGIT.search(key):
                shapes.setdefault(shape(key), Counter())[known.type] += 1
        if size:
            automaton.make_automaton()
        self._automaton = automaton
        self._size = size
        # A shape of one type only: a shape that orders and SKUs share says nothing.
        self._shapes = {s: next(iter(c)) for s, c in shapes.items() if len(c) == 1}

    def __len__(self) -> int:
        return self._size

    @property
    def shapes(self) -> dict[str, str]:
        return dict(self._shapes)

    def memory_bytes(self) -> int:
        """The automaton's own size (pyahocorasick's count), without the Python values it holds."""
        return int(self._automaton.get_stats()["total_size"]) if self._size else 0

    def find(self, text: str) -> list[IdMatch]:
        """Whole-token ids in `text` (normalized by the caller), non-overlapping, longest first."""
        folded = fold(text)
        candidates: list[IdMatch] = []
        if self._size:
            for last, (type_, value, length) in self._automaton.iter(folded):
                start, end = last + 1 - length, last + 1
                if _whole(folded, start, end):
                    candidates.append(IdMatch(type_, start, end, value, exact=True))
        if self._shapes:
            candidates.extend(self._shaped(text))
        candidates.sort(key=lambda m: (-(m.end - m.start), not m.exact, m.start))
        taken: list[IdMatch] = []
        for match in candidates:
            if all(match.end <= t.start or match.start >= t.end for t in taken):
                taken.append(match)
        return sorted(taken, key=lambda m: m.start)

    def _shaped(self, text: str) -> Iterator[IdMatch]:
        for m in _TOKEN.finditer(text):
            token = m.group(0)
            if len(token) < MIN_SHAPE_LENGTH or not _whole(text, m.start(), m.end()):
                continue
            type_ = self._shapes.get(shape(token))
            if type_ is not None:
                yield IdMatch(type_, m.start(), m.end(), token, exact=False)


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _whole(text: str, start: int, end: int) -> bool:
    """text[start:end] is a whole token: no letter or digit (or joiner and letter or digit) touches it."""
    if start > 0:
        before = text[start - 1]
        if _alnum(before) or (before in _JOINERS and start > 1 and _alnum(text[start - 2])):
            return False
    if end < len(text):
        after = text[end]
        if _alnum(after) or (after in _JOINERS and end + 1 < len(text) and _alnum(text[end + 1])):
            return False
    return True

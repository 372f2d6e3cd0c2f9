"""Order ids, invoice ids and SKUs in a message: the store's own ids first, then patterns.

In this order, and a later way never takes the place of an earlier one (so the typed id of the data
wins where a pattern would read the same characters):
1. the gazetteer of the store (nlu.gazetteer): every id in the data, whatever its shape;
2. the configured patterns (`nlu.id_patterns`): ids not imported yet;
3. the built-in patterns: `PO-1001`, `order 1001`, `订单1001`, `INV-2002`, `发票 2002 和 2003`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from nlu.gazetteer import IdGazetteer
from nlu.types import Entity

T = TypeVar("T")

_L = r"(?<![A-Za-z0-9])"
_R = r"(?![A-Za-z0-9])"

ORDER_PATTERNS = [
    re.compile(_L + r"p\.?\s?o\.?\s*(?:no\.?|number|#|:|-|_)?\s*#?\s*(\d{3,10})" + _R, re.I),
    re.compile(_L + r"(?:purchase\s+)?or?der\s*(?:no\.?|number|num|id|#|:)?\s*[:#]?\s*(\d{3,10})" + _R, re.I),
    re.compile(
        r"(?:采购单|采购订单|订单|单号|PO单)\s*(?:号|编号)?\s*[:：#]?\s*[A-Za-z]{0,2}-?(\d{3,10})" + _R
    ),
    re.compile(r"(?<![A-Za-z0-9&#])#(\d{3,10})" + _R),
]
INVOICE_PATTERNS = [
    re.compile(_L + r"inv(?:oice|oce|ioce)?s?\s*(?:no\.?|number|num|#|:|-|_)?\s*#?\s*(\d{3,10})" + _R, re.I),
    re.compile(r"发票\s*(?:号|编号)?\s*[:：#]?\s*(?:INV-?)?(\d{3,10})" + _R, re.I),
]
_INVOICE_CONTINUATION = re.compile(r"\s*(?:,|and|&|和|、)\s*(\d{3,10})" + _R, re.I)


@dataclass(frozen=True, slots=True)
class IdPattern:
    """A configured pattern: what it matches (the group `id`, else group 1, else all) is an id of `type`."""

    type: str
    regex: re.Pattern[str]

    def value(self, m: re.Match[str]) -> str:
        if "id" in self.regex.groupindex:
            return m.group("id") or m.group(0)
        return (m.group(1) if self.regex.groups else m.group(0)) or m.group(0)


# How the training data (nlu/data) writes an id of each type.
TRAINED_IDS = {"order_id": "PO-1001", "invoice_id": "INV-2001", "sku": "AB-1020"}


def as_trained_ids(text: str, gazetteer: IdGazetteer) -> str:
    """The orders, invoices and SKUs of the store in `text` written as TRAINED_IDS: what the intent
    classifier reads, so that `where is SO/2026/00042?` is as clear to it as `where is PO-1001?`."""
    pieces: list[str] = []
    end = 0
    for match in gazetteer.find(text):
        trained = TRAINED_IDS.get(match.type)
        if trained is not None:
            pieces += [text[end : match.start], trained]
            end = match.end
    return "".join(pieces) + text[end:] if pieces else text


class Found(Protocol):
    """The entities found so far (nlu.entities): where is free, add one, and stop at the limit."""

    def free(self, start: int, end: int) -> bool: ...

    def add(self, entity: Entity) -> None: ...

    def budget(self, items: Iterable[T]) -> Iterator[T]: ...


def find_ids(
    text: str, found: Found, *, gazetteer: IdGazetteer | None, patterns: Sequence[IdPattern]
) -> None:
    """Add the ids of `text` to `found`, each where no other entity was found before."""
    free, add, budget = found.free, found.add, found.budget
    if gazetteer is not None:
        for match in budget(gazetteer.find(text)):
            if free(match.start, match.end):
                add(Entity(match.type, text[match.start : match.end], match.start, match.end, match.value))
    for pattern in patterns:
        for m in budget(pattern.regex.finditer(text)):
            if m.end() > m.start() and free(m.start(), m.end()):
                add(Entity(pattern.type, m.group(0), m.start(), m.end(), pattern.value(m)))
    for regex in INVOICE_PATTERNS:
        for m in budget(regex.finditer(text)):
            if not free(m.start(), m.end()):
                continue
            add(Entity("invoice_id", m.group(0), m.start(), m.end(), f"INV-{int(m.group(1))}"))
            end = m.end()
            while (cont := _INVOICE_CONTINUATION.match(text, end)) and free(cont.start(1), cont.end()):
                number = cont.group(1)
                add(Entity("invoice_id", number, cont.start(1), cont.end(), f"INV-{int(number)}"))
                end = cont.end()
    for regex in ORDER_PATTERNS:
        for m in budget(regex.finditer(text)):
            if free(m.start(), m.end()):
                add(Entity("order_id", m.group(0), m.start(), m.end(), f"PO-{int(m.group(1))}"))

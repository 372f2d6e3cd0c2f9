"""Entity extraction with regexes and rules: ids, SKUs, quantities, money, dates, fuzzy-matched names.

The text is normalized first (nlu.normalize: NFKC, dashes, controls), and entity offsets are mapped
back to the text as written. The cost is linear in the length of the text: order and invoice ids are
looked for in up to `max_chars` characters (Slack's 40,000), everything else in the first `scan_chars`,
and only the first `max_entities` entities (by position) are kept.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from rapidfuzz import fuzz

from nlu.dates import find_dates
from nlu.gazetteer import IdLookup, fold
from nlu.ids import IdPattern, as_trained_ids, find_ids
from nlu.limits import DEFAULT_LIMITS
from nlu.normalize import cut, normalize
from nlu.spans import SpanSet
from nlu.types import Entity, KnownName, Money, NameLookup

Clock = Callable[[], dt.date]
T = TypeVar("T")


_L = r"(?<![A-Za-z0-9])"
_R = r"(?![A-Za-z0-9])"
_NUM = r"\d{1,3}(?:,\d{3})+|\d+"

_SKU_PATTERN = re.compile(
    _L + r"(?:sku\s*[:#]?\s*)?([A-Za-z]{1,4})(-?)(\d{2,6})(-[A-Za-z0-9]{1,4})?" + _R, re.I
)
_SKU_BLOCKLIST = {
    "PO",
    "INV",
    "USD",
    "EUR",
    "GBP",
    "CNY",
    "RMB",
    "JPY",
    "HKD",
    "CHF",
    "Q",
    "H",
    "FY",
    "ISO",
    "COVID",
    "WIN",
    "MP",
    "TOP",
    "NET",
    "ID",
    "NO",
    "NR",
    "NUM",
    "INVS",
    "A",
    "I",
    "X",
    "V",
    "P",
}
_CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "￥": "CNY"}
_CURRENCY_WORDS = {
    "usd": "USD",
    "us$": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "bucks": "USD",
    "美元": "USD",
    "美金": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "欧元": "EUR",
    "gbp": "GBP",
    "pounds": "GBP",
    "cny": "CNY",
    "rmb": "CNY",
    "yuan": "CNY",
    "元": "CNY",
    "块": "CNY",
    "块钱": "CNY",
    "人民币": "CNY",
    "jpy": "JPY",
    "hkd": "HKD",
    "chf": "CHF",
    "港币": "HKD",
    "日元": "JPY",
}
_CODES = r"usd|us\$|eur|gbp|cny|rmb|jpy|hkd|chf|人民币|美元|欧元"
_MULT = r"(?:\s?(k|m|万|千)(?![A-Za-z]))?"
_MONEY_PATTERNS = [
    re.compile(r"(us\$|[$€£¥￥])\s?(" + _NUM + r")(\.\d{1,2})?" + _MULT, re.I),
    re.compile(_L + r"(" + _CODES + r")\s?(" + _NUM + r")(\.\d{1,2})?" + _MULT, re.I),
    re.compile(
        _L
        + r"("
        + _NUM
        + r")(\.\d{1,2})?"
        + _MULT
        + r"\s?(usd|eur|gbp|cny|rmb|jpy|hkd|chf|dollars?|bucks|euros?|pounds|yuan|"
        + r"美元|美金|欧元|人民币|港币|日元|块钱|元|块)"
        + r"(?![A-Za-z])",
        re.I,
    ),
]
_MULTIPLIERS = {"k": 1000, "m": 1_000_000, "万": 10_000, "千": 1000}

_UNITS = {
    "units": "units",
    "unit": "units",
    "pcs": "pcs",
    "pc": "pcs",
    "pieces": "pcs",
    "piece": "pcs",
    "cartons": "cartons",
    "carton": "cartons",
    "ctns": "cartons",
    "boxes": "boxes",
    "box": "boxes",
    "pallets": "pallets",
    "pallet": "pallets",
    "sets": "sets",
    "set": "sets",
    "pairs": "pairs",
    "pair": "pairs",
    "rolls": "rolls",
    "roll": "rolls",
    "kg": "kg",
    "kgs": "kg",
    "tons": "tons",
    "m": "m",
    "meters": "m",
    "件": "pcs",
    "个": "pcs",
    "只": "pcs",
    "支": "pcs",
    "条": "pcs",
    "台": "pcs",
    "箱": "cartons",
    "套": "sets",
    "双": "pairs",
    "托": "pallets",
    "卷": "rolls",
    "公斤": "kg",
    "吨": "tons",
    "米": "m",
}
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_QTY_WITH_UNIT = re.compile(
    _L + r"(" + _NUM + r")(?:\.(\d+))?\s?(k)?\s?(" + _UNIT_RE + r")(?![A-Za-z])", re.I
)
_QTY_CONTEXT = re.compile(
    r"(?:stock|inventory|qty|quantity|available|on[- ]hand|count|库存|数量|还有|现在有|剩)"
    r"[^\d\n.?!。？！]{0,28}?(?<![A-Za-z])(" + _NUM + r")(k)?" + _R,
    re.I,
)
_QTY_AFTER_SKU = re.compile(r"\s*(?::|=|x|×|\*|-|–|to|at|qty|数量)?\s*(" + _NUM + r")(k)?" + _R, re.I)
_QTY_SET = re.compile(
    r"(?:set|change|update|reduce|add|改成|改为|更新为|设为|设成|调整为|加|减)[^\d\n]{0,24}?"
    r"(?:to|by|为|成)?\s*(?<![A-Za-z0-9])(" + _NUM + r")(k)?" + _R,
    re.I,
)
_QTY_ZERO = re.compile(r"(?:(?<![A-Za-z])zero(?![A-Za-z])|为零|改为零|设为零)", re.I)
_LEGAL_SUFFIXES = re.compile(
    r"[\s,]*(?:co\.?,?\s*ltd\.?|corp\.?|corporation|inc\.?|ltd\.?|llc|gmbh|limited|plc|s\.a\.|"
    r"有限责任公司|股份有限公司|有限公司|公司)$",
    re.I,
)
_WORD = re.compile(r"[A-Za-z0-9&'.\-]+|[\u3400-\u9fff]")
_CJK = re.compile(r"[\u3400-\u9fff]")


class _Found:
    """Entities found so far (offsets into the normalized text) and the spans they take."""

    def __init__(self, limit: int) -> None:
        self.entities: list[Entity] = []
        self.spans = SpanSet()
        self.limit = limit

    def free(self, start: int, end: int) -> bool:
        return not self.spans.overlaps(start, end)

    def add(self, entity: Entity) -> None:
        self.entities.append(entity)
        self.spans.add(entity.start, entity.end)

    def budget(self, items: Iterable[T]) -> Iterator[T]:
        """`items` until `limit` entities were added meanwhile: later ones cannot be among the first."""
        base = len(self.entities)
        for item in items:
            if len(self.entities) - base >= self.limit:
                return
            yield item


def _to_int(number: str, mult: str | None = None) -> int:
    value = int(number.replace(",", ""))
    return value * 1000 if mult and mult.lower() == "k" else value


class EntityExtractor:
    """Finds entities in one message; dates resolve against `clock()`, names against `name_lookup`.

    Ids (nlu.ids): the store's own, through `id_lookup`'s gazetteer, then `id_patterns`, then the
    built-in patterns.
    """

    def __init__(
        self,
        *,
        name_lookup: NameLookup | None = None,
        clock: Clock | None = None,
        fuzzy_threshold: float = 85.0,
        max_chars: int = DEFAULT_LIMITS.entity_max_chars,
        scan_chars: int = DEFAULT_LIMITS.entity_scan_chars,
        max_entities: int = DEFAULT_LIMITS.max_entities,
        id_lookup: IdLookup | None = None,
        id_patterns: Sequence[IdPattern] = (),
    ) -> None:
        self._names = name_lookup
        self._id_lookup = id_lookup
        self._id_patterns = tuple(id_patterns)
        self._clock = clock or dt.date.today
        self._threshold = fuzzy_threshold
        self._max_chars = max_chars
        self._scan_chars = scan_chars
        self._max_entities = max_entities

    def extract(self, text: str) -> tuple[Entity, ...]:
        """The first `max_entities` entities by position; start/end index `text` as given."""
        source = cut(text, self._max_chars)
        normalized = normalize(source)
        whole = normalized.text
        head = cut(whole, self._scan_chars)
        found = _Found(self._max_entities)
        self._ids(whole, found)
        self._money(head, found)
        for date in found.budget(find_dates(head, self._clock())):
            if found.free(date.start, date.end):
                found.add(Entity("date", date.text, date.start, date.end, date.value))
        self._skus(head, found)
        self._quantities(head, found, [e for e in found.entities if e.type == "sku"])
        self._fuzzy_names(head, found)
        kept = sorted(found.entities, key=lambda e: (e.start, e.end))[: self._max_entities]
        out = []
        for entity in kept:
            start, end = normalized.span(entity.start, entity.end)
            out.append(replace(entity, text=source[start:end], start=start, end=end))
        return tuple(out)

    # ---- ids ---------------------------------------------------------------------------------
    def as_trained_ids(self, text: str) -> str:
        """`text` (normalized) with the store's ids replaced by ids as the training data writes them."""
        gazetteer = self._id_lookup.id_gazetteer() if self._id_lookup is not None else None
        return as_trained_ids(text, gazetteer) if gazetteer is not None else text

    def _ids(self, text: str, found: _Found) -> None:
        gazetteer = self._id_lookup.id_gazetteer() if self._id_lookup is not None else None
        find_ids(text, found, gazetteer=gazetteer, patterns=self._id_patterns)

    # ---- money -------------------------------------------------------------------------------
    def _money(self, text: str, found: _Found) -> None:
        for index, pattern in enumerate(_MONEY_PATTERNS):
            for m in found.budget(pattern.finditer(text)):
                if not found.free(m.start(), m.end()):
                    continue
                if index == 2:
                    number, frac, mult, cur = m.group(1), m.group(2), m.group(3), m.group(4)
                    currency = _CURRENCY_WORDS.get(cur.lower(), "USD")
                else:
                    cur, number, frac, mult = m.group(1), m.group(2), m.group(3), m.group(4)
                    currency = _CURRENCY_SYMBOLS.get(cur.upper(), _CURRENCY_WORDS.get(cur.lower(), "USD"))
                try:
                    amount = Decimal(number.replace(",", "") + (frac or ""))
                except InvalidOperation:
                    continue
                if mult:
                    amount *= _MULTIPLIERS[mult.lower()]
                found.add(Entity("money", m.group(0).strip(), m.start(), m.end(), Money(amount, currency)))

    # ---- skus --------------------------------------------------------------------------------
    def _skus(self, text: str, found: _Found) -> None:
        for m in found.budget(_SKU_PATTERN.finditer(text)):
            letters, hyphen, digits, suffix = m.group(1), m.group(2), m.group(3), m.group(4) or ""
            start = m.start() if m.group(0).lower().startswith("sku") else m.start(1)
            if not found.free(start, m.end()) or letters.upper() in _SKU_BLOCKLIST:
                continue
            raw = m.group(0)
            explicit = raw.lower().startswith("sku")
            if not explicit and not hyphen and letters.islower() and len(digits) < 3:
                continue  # "win10", "abc12": too weak without a hyphen or capitals
            if not explicit and not hyphen and not letters.isupper() and not letters.islower():
                continue  # mixed case words ("Covid19")
            if not explicit and letters.islower() and _UNITS.get(letters.lower()):
                continue
            value = f"{letters.upper()}-{digits}{suffix.upper()}"
            found.add(Entity("sku", text[start : m.end()], start, m.end(), value))

    # ---- quantities --------------------------------------------------------------------------
    def _quantities(self, text: str, found: _Found, skus: Sequence[Entity]) -> None:
        masked = found.spans.blank(text)

        def emit(start: int, end: int, value: int, unit: str) -> None:
            if found.free(start, end):
                found.add(Entity("quantity", text[start:end], start, end, value, unit=unit))

        for m in found.budget(_QTY_WITH_UNIT.finditer(masked)):
            unit_key = m.group(4).lower()
            if unit_key == "m" and not m.group(0)[len(m.group(1)) :].lstrip().lower().startswith("m"):
                continue
            value = _to_int(m.group(1), m.group(3))
            if m.group(2) and m.group(3):
                value = int(float(m.group(1).replace(",", "") + "." + m.group(2)) * 1000)
            emit(m.start(), m.end(), value, _UNITS[unit_key])
        for sku in found.budget(skus):
            after = _QTY_AFTER_SKU.match(masked, sku.end)
            if after:
                emit(after.start(1), after.end(), _to_int(after.group(1), after.group(2)), "units")
        for pattern in (_QTY_CONTEXT, _QTY_SET):
            for m in found.budget(pattern.finditer(masked)):
                emit(m.start(1), m.end(), _to_int(m.group(1), m.group(2)), "units")
        if skus:
            for m in found.budget(_QTY_ZERO.finditer(masked)):
                emit(m.start(), m.end(), 0, "units")

    # ---- names -------------------------------------------------------------------------------
    def _fuzzy_names(self, text: str, found: _Found) -> None:
        if self._names is None:
            return
        folded = fold(text)
        tokens: list[tuple[int, int]] | None = None
        candidates: list[tuple[float, int, int, KnownName]] = []
        for known in self._names.known_names():
            for alias in _aliases(known):
                if len(alias) < 2 or (len(alias) < 3 and not _CJK.search(alias)):
                    continue
                where = fuzz.partial_ratio_alignment(alias, folded, score_cutoff=self._threshold)
                if where is None or where.score == 0:
                    continue
                if tokens is None:
                    tokens = [(m.start(), m.end()) for m in _WORD.finditer(text)]
                near = _tokens_near(tokens, where.dest_start - len(alias), where.dest_end + len(alias))
                best = _best_window(alias, near, folded, self._threshold)
                if best is not None:
                    score, start, end = best
                    candidates.append((score, start, end, known))
        candidates.sort(key=lambda c: (-c[0], -(c[2] - c[1])))
        for score, start, end, known in candidates:
            if not found.free(start, end):
                continue
            kind = known.kind if known.kind in ("customer", "supplier") else "customer"
            found.add(Entity(kind, text[start:end], start, end, known.id, score=round(score / 100, 3)))


def _aliases(known: KnownName) -> list[str]:
    names = [known.name, *known.aliases]
    out: list[str] = []
    for name in names:
        for variant in (name, _LEGAL_SUFFIXES.sub("", name.strip())):
            v = variant.strip().casefold()
            if v and v not in out:
                out.append(v)
    return out


def _tokens_near(tokens: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The tokens that overlap text[start:end] (`tokens` are sorted and disjoint)."""
    first = bisect_right(tokens, (start, start)) - 1
    last = bisect_left(tokens, (end, end))
    return tokens[max(first, 0) : last]


def _best_window(
    alias: str, tokens: Sequence[tuple[int, int]], folded: str, threshold: float
) -> tuple[float, int, int] | None:
    """Best-scoring span of whole words (or CJK characters, `tokens`) of the text for `alias`."""
    if not tokens:
        return None
    is_cjk = bool(_CJK.search(alias))
    target_tokens = len(_WORD.findall(alias))
    low = max(1, target_tokens - (2 if is_cjk else 1))
    high = target_tokens + (2 if is_cjk else 1)
    best: tuple[float, int, int] | None = None
    for i in range(len(tokens)):
        for n in range(low, high + 1):
            if i + n > len(tokens):
                break
            start, end = tokens[i][0], tokens[i + n - 1][1]
            window = folded[start:end].rstrip(".'")
            end = start + len(window)
            score = fuzz.ratio(alias, window)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, start, end)
    return best

"""The grounding check: a delexicalized reply may state only what the facts give."""

from __future__ import annotations

import itertools
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dialogue.nlg.catalog import PLACEHOLDER_RE, Catalog, expand, labelled_clauses

# Digits of any script, id-like tokens, spelled-out numbers (EN) and numeral + measure word (ZH).
_DIGIT_RE = re.compile(r"\d")
_ID_RE = re.compile(r"\b[A-Z]{2,}-[A-Z0-9]+\b")
_EN_NUMBER_RE = re.compile(
    r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|dozen|half)\b",
    re.IGNORECASE,
)
_ZH_NUMBER_RE = re.compile(r"[二两三四五六七八九十百千万亿][个件张天周月年日元块号%％]|百分之")
_STRAY_RE = re.compile(r"[\[\]{}]")
_OPTIONAL_RE = re.compile(r"[{}]")
_SEGMENT_RE = re.compile(r"\{[^}]*\}")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_EN_WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?")
NEAREST_REMEMBERED = 4096  # delexicalized replies whose nearest outcome is kept


def slot_contexts(text: str) -> list[tuple[str, str]]:
    """(left neighbour, placeholder) for each placeholder of a delexicalized reply.

    The left neighbour is the previous whitespace-separated token (lowercased), or the previous two
    characters when it is not ASCII (Chinese), or "^" at the start: "Late orders: [late_orders]" gives
    ("orders:", "late_orders"); "库存已从 [old_qty]" gives ("已从", "old_qty").
    """
    pairs: list[tuple[str, str]] = []
    for match in PLACEHOLDER_RE.finditer(text):
        before = text[: match.start()].rstrip()
        if not before:
            left = "^"
        else:
            left = PLACEHOLDER_RE.sub("[]", before.split()[-1].lower())
            if not left.isascii():  # Chinese: no spaces, so the previous two characters
                left = left[-2:]
        pairs.append((left, match.group(1)))
    return pairs


def _repeats(text: str) -> bool:
    """A word repeated back to back ("ship ship"), or a phrase of 3+ words (EN) / 4+ characters (ZH)
    said twice: the loop a small decoder falls into. Placeholders and line breaks do not count."""
    bare = PLACEHOLDER_RE.sub(" ", text)
    words = _EN_WORD_RE.findall(bare.lower())
    if any(a == b for a, b in itertools.pairwise(words)):
        return True
    if len({tuple(words[i : i + 3]) for i in range(len(words) - 2)}) < len(words) - 2:
        return True
    han = "".join(_CJK_RE.findall(bare))
    grams = [han[i : i + 4] for i in range(len(han) - 3)]
    return len(set(grams)) < len(grams)


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    reason: str = ""  # e.g. "unknown_placeholder:foo"; empty when ok

    @property
    def kind(self) -> str:
        """The reason without its detail, for metrics labels."""
        return self.reason.split(":", 1)[0]


OK = CheckResult(True)


class OutcomeConsistency:
    """Does a reply say what its outcome means, with each fact in a role the corpus gives it?

    Three rules the placeholder checks cannot express:
    - meaning: the nearest corpus phrasing (character n-gram TF-IDF, per language) belongs to the
      outcome. "Payment of [amount] was paid on [scheduled_date]" for a *scheduled* invoice is
      nearest to invoice_paid. Outcomes in `skip` (product descriptions) are exempt from this rule.
    - roles: every placeholder follows a word that some phrasing of this outcome puts before it, or
      that an optional or labelled clause of any outcome puts before it ("Reference: [ticket_id]").
      "Late orders: [escalations]" or "made of [color]" swap facts into the wrong role.
    - loops: no word said twice in a row and no phrase repeated, unless a reference does so.
    """

    def __init__(
        self, references: Mapping[tuple[str, str], Sequence[str]], *, skip: Iterable[str] = ()
    ) -> None:
        self._skip = set(skip)
        self._by_language: dict[str, tuple[Any, Any, list[str]]] = {}
        # A reply without its facts repeats from message to message (one outcome, a few wordings): its
        # nearest outcome is looked up once, not vectorized again for every reply.
        self._nearest: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        grouped: dict[str, list[tuple[str, str]]] = {}
        self._roles: dict[tuple[str, str], set[tuple[str, str]]] = {}
        # An optional clause, or a labelled one ("Expected delivery: [eta]."), says its fact the same
        # way in any outcome: the roles inside such clauses hold for every outcome of the language.
        self._clause_roles: dict[str, set[tuple[str, str]]] = {}
        self._may_repeat: set[tuple[str, str]] = set()
        for (outcome, language), texts in references.items():
            roles = self._roles.setdefault((outcome, language), set())
            shared = self._clause_roles.setdefault(language, set())
            for text in texts:
                clauses = [segment[1:-1] for segment in _SEGMENT_RE.findall(text)]
                clauses += [c for _, c in labelled_clauses(_OPTIONAL_RE.sub("", text), language)]
                for clause in clauses:
                    shared.update(pair for pair in slot_contexts(clause) if pair[0] != "^")
                names = PLACEHOLDER_RE.findall(text)
                subsets = [names] + [[n for n in names if n != drop] for drop in names]
                for form in {expand(text, subset) for subset in subsets} | {_OPTIONAL_RE.sub("", text)}:
                    roles.update(slot_contexts(form))
                    if _repeats(form):
                        self._may_repeat.add((outcome, language))
                if outcome in self._skip:
                    continue
                for form in {_OPTIONAL_RE.sub("", text), _SEGMENT_RE.sub("", text)}:
                    grouped.setdefault(language, []).append((outcome, form))
        self._grouped = grouped

    def _index(self, language: str) -> tuple[Any, Any, list[str]] | None:
        if language not in self._by_language:
            rows = self._grouped.get(language)
            if not rows:
                return None
            from sklearn.feature_extraction.text import TfidfVectorizer

            vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
            matrix = vectorizer.fit_transform([text for _, text in rows])
            self._by_language[language] = (vectorizer, matrix, [outcome for outcome, _ in rows])
        return self._by_language[language]

    def nearest(self, language: str, delexicalized: str) -> str | None:
        key = (language, delexicalized)
        if key in self._nearest:
            self._nearest.move_to_end(key)
            return self._nearest[key]
        found = self._nearest_of(language, delexicalized)
        self._nearest[key] = found
        if len(self._nearest) > NEAREST_REMEMBERED:
            self._nearest.popitem(last=False)
        return found

    def _nearest_of(self, language: str, delexicalized: str) -> str | None:
        index = self._index(language)
        if index is None:
            return None
        vectorizer, matrix, labels = index
        scores = (matrix @ vectorizer.transform([delexicalized]).T).toarray().ravel()
        return labels[int(scores.argmax())]

    def check(self, outcome: str, language: str, delexicalized: str) -> CheckResult:
        roles = self._roles.get((outcome, language))
        if roles is not None:
            shared = self._clause_roles.get(language, set())
            for left, name in slot_contexts(delexicalized):
                if (left, name) not in roles and (left, name) not in shared:
                    return CheckResult(False, f"misplaced_fact:{name}")
            if (outcome, language) not in self._may_repeat and _repeats(delexicalized):
                return CheckResult(False, "repetition")
        if outcome in self._skip:
            return OK
        nearest = self.nearest(language, delexicalized)
        if nearest is None or nearest == outcome:
            return OK
        return CheckResult(False, f"off_outcome:{nearest}")


class GroundingChecker:
    """Rejects unknown, unfilled, repeated or omitted placeholders, missing facts and invented numbers,
    and (given reference phrasings and the language) replies whose meaning is another outcome's."""

    def __init__(self, catalog: Catalog, *, consistency: OutcomeConsistency | None = None) -> None:
        self._catalog = catalog
        self._consistency = consistency

    def check(
        self, outcome: str, delexicalized: str, given: Iterable[str], language: str | None = None
    ) -> CheckResult:
        result = self._check_facts(outcome, delexicalized, given)
        if result.ok and self._consistency is not None and language is not None:
            return self._consistency.check(outcome, language, delexicalized)
        return result

    def _check_facts(self, outcome: str, delexicalized: str, given: Iterable[str]) -> CheckResult:
        spec = self._catalog.get(outcome)
        have = set(given)
        for name in spec.required:
            if name not in have:
                return CheckResult(False, f"missing_fact:{name}")
        if not delexicalized.strip():
            return CheckResult(False, "empty")
        used = Counter(PLACEHOLDER_RE.findall(delexicalized))
        for name in used:
            if name not in spec.facts:
                return CheckResult(False, f"unknown_placeholder:{name}")
            if name not in have:
                return CheckResult(False, f"unfilled_placeholder:{name}")
        for name, count in used.items():
            if count > 1:
                return CheckResult(False, f"repeated_placeholder:{name}")
        for name in spec.present_facts(have):
            if name not in used:
                return CheckResult(False, f"omitted_fact:{name}")
        bare = PLACEHOLDER_RE.sub(" ", delexicalized)
        if _STRAY_RE.search(bare):
            return CheckResult(False, "malformed")
        if _DIGIT_RE.search(bare) or _ID_RE.search(bare):
            return CheckResult(False, "invented_number")
        if _EN_NUMBER_RE.search(bare) or _ZH_NUMBER_RE.search(bare):
            return CheckResult(False, "invented_number")
        return OK

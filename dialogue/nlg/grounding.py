"""The grounding check: a delexicalized reply may state only what the facts give."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from dialogue.nlg.catalog import PLACEHOLDER_RE, Catalog

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


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    reason: str = ""  # e.g. "unknown_placeholder:foo"; empty when ok

    @property
    def kind(self) -> str:
        """The reason without its detail, for metrics labels."""
        return self.reason.split(":", 1)[0]


OK = CheckResult(True)


class GroundingChecker:
    """Rejects unknown, unfilled, repeated or omitted placeholders, missing facts and invented numbers."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def check(self, outcome: str, delexicalized: str, given: Iterable[str]) -> CheckResult:
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

"""Knowledge routing evaluation: a CSV of `text,faq_id[,language,split]` through the parser, the knowledge
base and the routing decision, as the bot answers; plus the knowledge base's raw ranking.

A row with an empty faq_id is a negative (a record request, small talk, a complaint, a request for a
person): it is right when the bot neither answers it from the knowledge base nor offers entries for it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialogue.actions.base import SUPPLIER_DATA_INTENTS
from dialogue.faq import FaqEntry, KnowledgeBase
from dialogue.routing import KnowledgeThresholds, RouteKind, route
from dialogue.understanding import break_tie_with_entities
from nlu.types import OUT_OF_SCOPE, NluResult, Parser

HELDOUT = Path(__file__).resolve().parents[1] / "bench" / "data" / "knowledge_heldout.csv"


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    faq_id: str  # "" for a negative
    language: str
    split: str = ""


@dataclass(frozen=True, slots=True)
class Observed:
    """What one row looks like to the router: the parse and the best entries with their scores."""

    row: Row
    nlu: NluResult
    hits: tuple[tuple[str, float], ...]  # (entry id, score), best first
    ranked: tuple[str, ...]  # entry ids of the row's language, best first (for top-k)


@dataclass(frozen=True, slots=True)
class Verdict:
    row: Row
    action: str  # "faq:<id>" | "offer:<a>,<b>" | "choose:<intent>,<id>" | an intent | "link_required" ...
    answered: str = ""  # the entry answered from ("" when none)
    offered: tuple[str, ...] = ()  # entries offered as buttons

    @property
    def right(self) -> bool:
        if not self.row.faq_id:
            return not self.answered and not self.offered
        return self.answered == self.row.faq_id


def read_rows(path: str | Path, *, language: str = "") -> list[Row]:
    """Rows of a `text,faq_id` CSV; a missing language column is filled in from the text."""
    from nlu.language import detect_language

    with Path(path).open(encoding="utf-8", newline="") as handle:
        return [
            Row(
                text=r["text"],
                faq_id=(r.get("faq_id") or "").strip(),
                language=(r.get("language") or language or detect_language(r["text"])).strip(),
                split=(r.get("split") or "").strip(),
            )
            for r in csv.DictReader(handle)
        ]


async def observe(
    rows: Sequence[Row], parser: Parser, kb: KnowledgeBase, *, lexical_weight: float | None = None
) -> list[Observed]:
    """Parse and search every row once; `route` can then be replayed under any thresholds."""
    out: list[Observed] = []
    for row in rows:
        nlu = await parser.parse(row.text)
        scores = await kb.entry_scores(row.text, row.language, lexical_weight=lexical_weight)
        hits = kb.top(scores, row.language, k=2)
        ranked = kb.ranked_ids(scores, row.language)
        out.append(Observed(row, nlu, tuple((h.entry.id, h.score) for h in hits), ranked))
    return out


def decide(
    seen: Observed,
    kb: KnowledgeBase,
    thresholds: KnowledgeThresholds,
    *,
    confidence_threshold: float,
    linked: bool,
) -> Verdict:
    """What the dialogue manager does with the row (dialogue.manager: `_understand` and `_gated`)."""
    from dialogue.faq import FaqHit

    nlu = break_tie_with_entities(seen.nlu)
    hits = [FaqHit(_entry(kb, i, seen.row.language), s, seen.row.language) for i, s in seen.hits]
    chosen = route(nlu, hits, thresholds=thresholds, confidence_threshold=confidence_threshold)
    ids = tuple(e.id for e in chosen.entries)
    if chosen.kind == RouteKind.ANSWER:
        return Verdict(seen.row, f"faq:{ids[0]}", answered=ids[0])
    if chosen.kind == RouteKind.OFFER:
        return Verdict(seen.row, "offer:" + ",".join(ids), offered=ids)
    if chosen.kind == RouteKind.CHOOSE:
        return Verdict(seen.row, f"choose:{nlu.intent},{ids[0]}", offered=ids)
    if nlu.ambiguous and nlu.intent != OUT_OF_SCOPE and len(nlu.ranking) >= 2:
        return Verdict(seen.row, f"clarify:{nlu.ranking[0][0]},{nlu.ranking[1][0]}")
    if nlu.intent == OUT_OF_SCOPE or nlu.confidence < confidence_threshold:
        return Verdict(seen.row, OUT_OF_SCOPE)
    if nlu.intent in SUPPLIER_DATA_INTENTS and not linked:
        return Verdict(seen.row, "link_required")
    if nlu.intent in ("onboarding", "policy_question"):  # the action answers above the answer threshold
        if seen.hits and seen.hits[0][1] >= thresholds.answer:
            return Verdict(seen.row, f"faq:{seen.hits[0][0]}", answered=seen.hits[0][0])
        return Verdict(seen.row, "faq_unknown")
    return Verdict(seen.row, nlu.intent)


def _entry(kb: KnowledgeBase, entry_id: str, language: str) -> FaqEntry:
    found = kb.entry(entry_id, language)
    assert found is not None, entry_id
    return found


@dataclass(frozen=True, slots=True)
class Figures:
    n: int
    answered_right: float
    offered_right: float  # the right entry among the buttons (not counted as answered)
    answered_wrong: float
    negatives: int
    negatives_kept: float  # negatives neither answered from the KB nor offered entries
    extra: Mapping[str, Any] = field(default_factory=dict)


def figures(verdicts: Iterable[Verdict]) -> Figures:
    done = list(verdicts)
    pos = [v for v in done if v.row.faq_id]
    neg = [v for v in done if not v.row.faq_id]

    def share(k: int, n: int) -> float:
        return round(k / n, 4) if n else 0.0

    return Figures(
        n=len(pos),
        answered_right=share(sum(v.right for v in pos), len(pos)),
        offered_right=share(sum(v.row.faq_id in v.offered for v in pos), len(pos)),
        answered_wrong=share(sum(bool(v.answered) and not v.right for v in pos), len(pos)),
        negatives=len(neg),
        negatives_kept=share(sum(v.right for v in neg), len(neg)),
    )


def rank_figures(seen: Iterable[Observed]) -> dict[str, float | int]:
    pos = [s for s in seen if s.row.faq_id]
    n = len(pos)
    top1 = sum(bool(s.ranked) and s.ranked[0] == s.row.faq_id for s in pos)
    top3 = sum(s.row.faq_id in s.ranked[:3] for s in pos)
    return {"n": n, "top1": round(top1 / n, 4) if n else 0.0, "top3": round(top3 / n, 4) if n else 0.0}


def report(
    seen: Sequence[Observed],
    kb: KnowledgeBase,
    thresholds: KnowledgeThresholds,
    *,
    confidence_threshold: float,
) -> dict[str, Any]:
    """Routing figures (linked and unlinked supplier) and rank figures, per language and split."""
    out: dict[str, Any] = {}
    languages = sorted({s.row.language for s in seen})
    splits = sorted({s.row.split for s in seen})
    for split in splits:
        for language in languages:
            part = [s for s in seen if s.row.language == language and s.row.split == split]
            if not part:
                continue
            key = f"{split}_{language}" if split else language
            entry: dict[str, Any] = {"rank": rank_figures(part)}
            for linked in (True, False):
                verdicts = [
                    decide(s, kb, thresholds, confidence_threshold=confidence_threshold, linked=linked)
                    for s in part
                ]
                entry["linked" if linked else "unlinked"] = _as_dict(figures(verdicts))
            out[key] = entry
    return out


def verdict_rows(
    seen: Sequence[Observed],
    kb: KnowledgeBase,
    thresholds: KnowledgeThresholds,
    *,
    confidence_threshold: float,
) -> list[dict[str, Any]]:
    """One line per row (linked supplier): what the bot did, for reading the misses."""
    lines = []
    for s in seen:
        v = decide(s, kb, thresholds, confidence_threshold=confidence_threshold, linked=True)
        lines.append(
            {
                "text": s.row.text,
                "expected": s.row.faq_id,
                "split": s.row.split,
                "intent": s.nlu.intent,
                "confidence": s.nlu.confidence,
                "best": list(s.hits),
                "action": v.action,
                "right": v.right,
            }
        )
    return lines


def _as_dict(f: Figures) -> dict[str, Any]:
    return {
        "n": f.n,
        "answered_right": f.answered_right,
        "offered_right": f.offered_right,
        "answered_wrong": f.answered_wrong,
        "negatives": f.negatives,
        "negatives_kept": f.negatives_kept,
    }

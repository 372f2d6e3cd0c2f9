"""Knowledge routing benchmark: tunes the blend weights and routing thresholds on the TUNE split of
bench/data/knowledge_heldout.csv and reports the TEST split, before (intent-only routing) and after.

The parser is the trained one (var/models/nlu), the knowledge base is the demo handbook
(dialogue/data/handbook) on the retrieval encoder (multilingual-e5-small, centered). The last stdout
line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dialogue.faq import KnowledgeBase, knowledge_base  # noqa: E402
from dialogue.handbook import load_faq  # noqa: E402
from dialogue.knowledge_eval import (  # noqa: E402
    HELDOUT,
    Observed,
    Verdict,
    decide,
    figures,
    observe,
    rank_figures,
    read_rows,
    report,
)
from dialogue.routing import KnowledgeThresholds  # noqa: E402

WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)
CONFIDENCE = 0.45  # dialogue.confidence_threshold in config.yaml


def log(message: str) -> None:
    print(message, flush=True)


def points(v: Verdict) -> float:
    """The tuning objective of one row: a right answer 1, the right entry on a button 0.5, a wrong
    answer -1; a negative answered from the knowledge base -2, offered entries -0.5."""
    if v.row.faq_id:
        if v.right:
            return 1.0
        if v.answered:
            return -1.0
        return 0.5 if v.row.faq_id in v.offered else 0.0
    if v.answered:
        return -2.0
    return -0.5 if v.offered else 0.0


def _steps(low: float, high: float, step: float) -> list[float]:
    return [round(low + step * i, 3) for i in range(round((high - low) / step) + 1)]


def _objective(seen: list[Observed], kb: KnowledgeBase, t: KnowledgeThresholds) -> float:
    return sum(points(decide(s, kb, t, confidence_threshold=CONFIDENCE, linked=True)) for s in seen)


def tune(seen: list[Observed], kb: KnowledgeBase) -> tuple[KnowledgeThresholds, float]:
    """Grid search in two steps: the knowledge questions' bars (answer, offer, margin) with no
    overriding, then the bar for overriding another intent (override, slope, choose)."""
    never = KnowledgeThresholds(override=9.0, choose=0.0)
    first = []
    for answer, offer, margin in itertools.product(
        _steps(0.25, 0.65, 0.025), _steps(0.2, 0.65, 0.025), _steps(0.0, 0.1, 0.02)
    ):
        if offer <= answer:
            t = replace(never, answer=answer, offer=offer, margin=margin)
            # ties: the higher answer bar, then the narrower offer band
            first.append((_objective(seen, kb, t), answer, offer, -margin, t))
    base = max(first, key=lambda x: x[:4])[4]
    second = []
    for override, slope, choose in itertools.product(
        _steps(0.3, 0.8, 0.025), _steps(0.0, 0.4, 0.05), _steps(0.0, 0.1, 0.025)
    ):
        t = replace(base, override=override, slope=slope, choose=choose)
        second.append((_objective(seen, kb, t), override + slope, -choose, t))
    best = max(second, key=lambda x: x[:3])
    return best[3], best[0]


def lead(seen: list[Observed]) -> float:
    """Mean lead of the right entry over the best other one (negative when it is not first)."""
    leads = []
    for s in seen:
        right = next((score for i, score in s.hits if i == s.row.faq_id), None)
        if right is None:
            leads.append(-1.0 if s.hits else 0.0)
            continue
        other = next((score for i, score in s.hits if i != s.row.faq_id), 0.0)
        leads.append(right - other)
    return round(sum(leads) / max(1, len(leads)), 4)


def legacy(seen: list[Observed]) -> dict[str, Any]:
    """Before: the intent alone decided; onboarding/policy_question answered above faq_threshold 0.40."""
    out: dict[str, Any] = {}
    for language in ("en", "zh"):
        part = [s for s in seen if s.row.language == language]
        verdicts = []
        for s in part:
            answered = ""
            if s.nlu.intent in ("onboarding", "policy_question") and s.hits and s.hits[0][1] >= 0.40:
                answered = s.hits[0][0]
            verdicts.append(
                Verdict(s.row, f"faq:{answered}" if answered else s.nlu.intent, answered=answered)
            )
        f = figures(verdicts)
        out[language] = {"answered_right": f.answered_right, "negatives_kept": f.negatives_kept, "n": f.n}
    return out


async def main_async(ns: argparse.Namespace) -> dict[str, Any]:
    from nlu.encoder import BatchedEncoder, load_encoder
    from nlu.parser import load_parser

    encoder = BatchedEncoder(load_encoder(""))
    parser = load_parser(ns.model_dir, encoder=encoder)
    kb = knowledge_base(load_faq(), encoder, threshold=0.4)
    rows = read_rows(ns.data)
    results: dict[str, Any] = {}
    try:
        seen_by_weight = {w: await observe(rows, parser, kb, lexical_weight=w) for w in WEIGHTS}
    finally:
        await parser.aclose()
        await encoder.aclose()
    old = {"en": 0.3, "zh": 0.8}
    before = [s for s in seen_by_weight[old["en"]] if s.row.language == "en"]
    before += [s for s in seen_by_weight[old["zh"]] if s.row.language == "zh"]
    results["before_test"] = legacy([s for s in before if s.row.split == "test"])
    results["before_rank_test"] = {
        lang: rank_figures([s for s in before if s.row.split == "test" and s.row.language == lang])
        for lang in ("en", "zh")
    }
    chosen: dict[str, float] = {}
    for lang in ("en", "zh"):
        table = []
        for w in WEIGHTS:
            part = [s for s in seen_by_weight[w] if s.row.language == lang and s.row.split == "tune"]
            r = rank_figures(part)
            table.append((r["top1"], r["top3"], lead(part), w))
            log(f"tune {lang} lexical weight {w:.1f}: top-1 {r['top1']:.3f} top-3 {r['top3']:.3f}")
        chosen[lang] = max(table)[3]
    log(f"chosen lexical weights: {chosen}")
    seen = [s for s in seen_by_weight[chosen["en"]] if s.row.language == "en"]
    seen += [s for s in seen_by_weight[chosen["zh"]] if s.row.language == "zh"]
    thresholds, objective = tune([s for s in seen if s.row.split == "tune"], kb)
    log(f"tuned thresholds: {thresholds} (objective {objective} on the tune split)")
    results["lexical_weight"] = chosen
    results["thresholds"] = asdict(thresholds)
    results["after"] = report(seen, kb, thresholds, confidence_threshold=CONFIDENCE)
    for key, value in results["after"].items():
        log(f"{key}: {json.dumps(value)}")
    log(
        f"before (test): {json.dumps(results['before_test'])}  rank {json.dumps(results['before_rank_test'])}"
    )
    if ns.misses:
        for s in seen:
            v = decide(s, kb, thresholds, confidence_threshold=CONFIDENCE, linked=True)
            if not v.right and s.row.split in ns.misses:
                log(
                    f"  MISS [{s.row.split}] {s.row.text!r} want {s.row.faq_id or '-'}: {v.action} "
                    f"({s.nlu.intent} {s.nlu.confidence:.2f}; {s.hits})"
                )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=HELDOUT)
    parser.add_argument("--model-dir", type=Path, default=ROOT / "var" / "models" / "nlu")
    parser.add_argument("--misses", action="append", default=[], choices=["tune", "test"])
    ns = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(ns)), ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Held-out evaluation of the reply model: BLEU/chrF, slot accuracy, fallbacks, hallucinations, speed."""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from dialogue.demo import load_demo
from dialogue.nlg.catalog import LANGUAGES, PRODUCT_OUTCOME, placeholders, realise
from dialogue.nlg.corpus import EvalItem, held_out, load_corpus, split_corpus
from dialogue.nlg.glossing import missing_glosses
from dialogue.nlg.grounding import CheckResult, GroundingChecker, OutcomeConsistency
from dialogue.nlg.lexicalize import Lexicalizer
from dialogue.nlg.listing import compose, features_of
from dialogue.nlg.listing_check import coverage, fluency_issues, invented
from dialogue.nlg.model import Generator
from dialogue.nlg.renderer import build_renderer, model_attempts
from dialogue.nlg.samples import sample_facts
from dialogue.nlg.training import DEFAULT_MAX_VARIANTS

SPLIT_DESCRIPTION = (
    "held out: the fact combinations in dialogue.nlg.corpus.HELD_OUT_COMBOS and one in six product "
    "attribute combinations (never trained, all phrasings are references), plus the last phrasing of "
    "every (outcome, language) (the reference for the trained combinations)"
)
_NUMBER_RE = re.compile(r"[A-Z]{2,}-?\d+|\d[\d,.:]*")


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _bleu_chrf(hyps: list[str], refs: list[tuple[str, ...]], language: str) -> tuple[float, float]:
    import sacrebleu

    if not hyps:
        return 0.0, 0.0
    width = max(len(r) for r in refs)
    streams = [[r[i % len(r)] for r in refs] for i in range(width)]
    bleu = sacrebleu.corpus_bleu(hyps, streams, tokenize="zh" if language == "zh" else "13a")
    chrf = sacrebleu.corpus_chrf(hyps, streams)
    return round(float(bleu.score), 2), round(float(chrf.score), 2)


def generate_all(model: Generator, inputs: Sequence[str], batch_size: int = 32) -> list[str]:
    outputs: list[str] = []
    for start in range(0, len(inputs), batch_size):
        outputs.extend(model.generate(inputs[start : start + batch_size]))
    return outputs


def evaluate_model(
    model: Generator,
    data_dir: str | Path,
    *,
    latency_samples: int = 40,
    concurrency: int = 32,
    rounds: int = 8,
    batch_max_wait_ms: float = 5.0,
    seed: int = 0,
    max_variants: int = DEFAULT_MAX_VARIANTS,
) -> dict[str, Any]:
    """Score the model on the held-out split; blocking (runs its own event loop for the speed part)."""
    corpus = load_corpus(data_dir, max_variants=max_variants)
    split = split_corpus(corpus)
    checker = GroundingChecker(
        corpus.catalog, consistency=OutcomeConsistency(corpus.variants, skip=[PRODUCT_OUTCOME])
    )
    lexicalizer = Lexicalizer(corpus.catalog, corpus.products)
    rng = random.Random(seed)
    items = list(split.evaluation)
    # as the renderer does: try the model inputs of `model_attempts` in turn until one passes
    attempts = [
        model_attempts(
            corpus.catalog.get(i.outcome),
            i.facts,
            i.language,
            0,
            corpus.trained_variants(i.outcome, i.language),
        )
        for i in items
    ]
    hyps = [""] * len(items)
    checks: list[CheckResult] = [CheckResult(False, "not_tried")] * len(items)
    passed_with: dict[int, tuple[int, bool]] = {}  # item -> (attempt number, asked for every fact)
    for turn in range(max(len(a) for a in attempts)):
        todo = [k for k in range(len(items)) if (turn == 0 or not checks[k].ok) and turn < len(attempts[k])]
        for k, out in zip(todo, generate_all(model, [attempts[k][turn][0] for k in todo]), strict=True):
            hyp = realise(out, items[k].facts)
            check = checker.check(items[k].outcome, hyp, items[k].facts, items[k].language)
            if turn == 0 or check.ok:
                hyps[k], checks[k] = hyp, check
            if check.ok:
                passed_with[k] = (turn, attempts[k][turn][1])
    result: dict[str, Any] = {
        k: {}
        for k in (
            "bleu",
            "chrf",
            "slot_accuracy",
            "slot_accuracy_unseen_combos",
            "fallback_rate",
            "fallback_rate_unseen_combos",
            "hallucination_rate",
            "latency_ms_p50",
            "latency_ms_p95",
            "throughput_unbatched_rps",
            "throughput_batched_rps",
            "batch_speedup",
            "items",
            "passed_on_retry",
            "composed_from_all_facts",
        )
    }
    for lang in LANGUAGES:
        rows = [k for k, i in enumerate(items) if i.language == lang]
        pairs = [(items[k], hyps[k]) for k in rows]
        bleu, chrf = _bleu_chrf([h for _, h in pairs], [i.references for i, _ in pairs], lang)
        slots = [set(placeholders(h)) == set(i.facts) for i, h in pairs]
        unseen = [ok for ok, (i, _) in zip(slots, pairs, strict=True) if i.unseen_combo]
        fallbacks = unseen_fallbacks = 0
        hallucinations = 0
        for k, (item, hyp) in zip(rows, pairs, strict=True):
            check = checks[k]
            fallbacks += not check.ok
            unseen_fallbacks += item.unseen_combo and not check.ok
            final = hyp if check.ok else corpus.catalog.fallback(item.outcome, lang, item.facts)
            hallucinations += _hallucinates(item, final, checker, lexicalizer, corpus.products, rng)
        n = max(1, len(pairs))
        result["bleu"][lang] = bleu
        result["chrf"][lang] = chrf
        result["slot_accuracy"][lang] = round(sum(slots) / n, 4)
        result["slot_accuracy_unseen_combos"][lang] = round(sum(unseen) / max(1, len(unseen)), 4)
        result["fallback_rate"][lang] = round(fallbacks / n, 4)
        result["fallback_rate_unseen_combos"][lang] = round(unseen_fallbacks / max(1, len(unseen)), 4)
        result["hallucination_rate"][lang] = round(hallucinations / n, 4)
        result["items"][lang] = len(pairs)
        later = [passed_with[k] for k in rows if k in passed_with and passed_with[k][0] > 0]
        result["passed_on_retry"][lang] = len(later)
        result["composed_from_all_facts"][lang] = sum(all_facts for _, all_facts in later)
    speed = asyncio.run(
        _speed(model, data_dir, items, latency_samples, concurrency, rounds, batch_max_wait_ms, max_variants)
    )
    for key, per_lang in speed.items():
        result[key] = per_lang
    result["split"] = SPLIT_DESCRIPTION
    result["train_rows"] = len(split.train)
    result["listings"] = evaluate_listings(data_dir, seed=seed)
    result["missing_glossary"] = missing_glossary(data_dir)
    return result


def attribute_values(data_dir: str | Path) -> list[tuple[str, str]]:
    """Every (attribute, value) a Chinese listing may have to say: the demo catalogue's products (each
    feature on its own) and the values of dialogue/data/product_attributes.yml."""
    corpus = load_corpus(data_dir)
    values: list[tuple[str, str]] = []
    for p in load_demo(date(2026, 11, 23)).products:
        values += [("category", p.category), ("material", p.material), ("size", p.size)]
        values += [("features", f) for f in features_of(p.features)]
    for attribute, table in corpus.products.translations.items():
        values += [(attribute, en) for en in table]
    values += [("size", size) for size in corpus.products.sizes]
    return [(k, v) for k, v in values if v.strip()]


def missing_glossary(data_dir: str | Path) -> dict[str, Any]:
    """The English attribute words with no Chinese gloss (nlu/data/vocab/gloss.yml `attributes`), each with
    the values it is in: a Chinese listing would leave them in English."""
    corpus = load_corpus(data_dir)
    values = attribute_values(data_dir)
    missing = missing_glosses(values, corpus.products)
    return {
        "values_checked": len(values),
        "words": list(missing),
        "in": {word: list(found) for word, found in missing.items()},
    }


def missing_glossary_text(section: dict[str, Any]) -> str:
    """The report's line: "none (N values checked)" or the words and where they are."""
    words = section.get("words") or []
    if not words:
        return f"none ({section.get('values_checked', 0)} attribute values checked)"
    found = section.get("in", {})
    return f"{len(words)} words: " + "; ".join(f"{w} (in {', '.join(found.get(w, []))})" for w in words)


def listing_inputs(data_dir: str | Path, *, seed: int = 0, samples: int = 10) -> list[dict[str, str]]:
    """The held-out attribute combinations, `samples` value draws each, then every demo product."""
    corpus = load_corpus(data_dir)
    spec = corpus.catalog.get(PRODUCT_OUTCOME)
    rng = random.Random(seed)
    inputs = [
        {k: str(v) for k, v in sample_facts(spec, combo, rng, corpus.products).items()}
        for combo in spec.fact_combinations()
        if held_out(PRODUCT_OUTCOME, combo)
        for _ in range(samples)
    ]
    for p in load_demo(date(2026, 11, 23)).products:
        attrs = {"name": p.name, "category": p.category, "material": p.material, "size": p.size}
        inputs.append({**attrs, "features": p.features})
    return inputs


def evaluate_listings(data_dir: str | Path, *, seed: int = 0) -> dict[str, Any]:
    """Listings (dialogue.nlg.listing) of `listing_inputs`, per language: attribute coverage, invented
    attributes, the fluency rate and the rules broken."""
    corpus = load_corpus(data_dir)
    inputs = listing_inputs(data_dir, seed=seed)
    out: dict[str, Any] = {
        "inputs": "held-out attribute combinations x 10 value draws, and the 24 demo products"
    }
    for lang in LANGUAGES:
        scores: list[float] = []
        inventions: list[str] = []
        issues: dict[str, int] = {}
        fluent = 0
        for attrs in inputs:
            listing = compose(attrs, language=lang, tables=corpus.products)
            scores.append(coverage(attrs, listing.text(), corpus.products))
            inventions += invented(attrs, listing.text(), corpus.products)
            broken = fluency_issues(listing, attrs)
            fluent += not broken
            for issue in broken:
                issues[issue] = issues.get(issue, 0) + 1
        n = max(1, len(scores))
        out[lang] = {
            "items": len(scores),
            "attribute_coverage": round(sum(scores) / n, 4),
            "min_coverage": round(min(scores, default=1.0), 4),
            "invented_attributes": len(inventions),
            "invented_examples": sorted(set(inventions))[:5],
            "fluency_rate": round(fluent / n, 4),
            "fluency_issues": issues,
        }
    return out


def _hallucinates(
    item: EvalItem,
    final: str,
    checker: GroundingChecker,
    lexicalizer: Lexicalizer,
    products: Any,
    rng: random.Random,
) -> bool:
    """After the check: does the sent text state a placeholder or a number/id not from the facts?"""
    if not checker.check(item.outcome, final, item.facts).ok:  # facts and numbers; meaning is not a fact
        return True
    spec = lexicalizer.catalog.get(item.outcome)
    facts = sample_facts(spec, item.facts, rng, products if item.outcome == PRODUCT_OUTCOME else None)
    text = lexicalizer.fill(final, facts, item.language)
    allowed = " ".join(lexicalizer.format_value(k, v, item.language) for k, v in facts.items())
    tokens = (token.rstrip(".,:") for token in _NUMBER_RE.findall(text))
    return any(token not in allowed for token in tokens) or bool(placeholders(text))


async def _speed(
    model: Generator,
    data_dir: str | Path,
    items: list[EvalItem],
    samples: int,
    concurrency: int,
    rounds: int,
    wait_ms: float,
    max_variants: int,
) -> dict[str, dict[str, float]]:
    """Per-reply latency without concurrency, and throughput with `concurrency` simultaneous renders."""
    renderer = build_renderer(
        max_variants=max_variants,
        data_dir=data_dir,
        model=model,
        cache_size=0,
        batch_max_wait_ms=wait_ms,
        batch_max_size=max(1, concurrency),
    )
    rng = random.Random(1)
    out: dict[str, dict[str, float]] = {
        k: {}
        for k in (
            "latency_ms_p50",
            "latency_ms_p95",
            "throughput_unbatched_rps",
            "throughput_batched_rps",
            "batch_speedup",
        )
    }
    try:
        for lang in LANGUAGES:
            pool = [i for i in items if i.language == lang]
            rng.shuffle(pool)  # a sample of every outcome, not the alphabetically first ones
            requests = [
                (i.outcome, sample_facts(renderer.catalog.get(i.outcome), i.facts, rng))
                for i in (pool * (1 + samples // max(1, len(pool))))[:samples]
            ]
            await renderer.render(*requests[0], language=lang)  # warm-up
            latencies = []
            for outcome, facts in requests:
                start = time.perf_counter()
                await renderer.render(outcome, facts, language=lang)
                latencies.append(time.perf_counter() - start)
            unbatched = len(latencies) / sum(latencies)
            start = time.perf_counter()
            done = 0
            for r in range(rounds):
                chunk = [requests[(r * concurrency + k) % len(requests)] for k in range(concurrency)]
                await asyncio.gather(*(renderer.render(o, f, language=lang) for o, f in chunk))
                done += len(chunk)
            batched = done / (time.perf_counter() - start)
            out["latency_ms_p50"][lang] = round(statistics.median(latencies) * 1000, 1)
            out["latency_ms_p95"][lang] = round(_percentile(latencies, 0.95) * 1000, 1)
            out["throughput_unbatched_rps"][lang] = round(unbatched, 1)
            out["throughput_batched_rps"][lang] = round(batched, 1)
            out["batch_speedup"][lang] = round(batched / unbatched, 2)
    finally:
        await renderer.aclose()
    return out

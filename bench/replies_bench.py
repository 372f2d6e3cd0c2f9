"""Reply model benchmark: quality on the held-out split, latency and batched throughput.

    .venv/bin/python bench/replies_bench.py [--model var/models/nlg] [--concurrency 32]

Prints the same JSON as `opsbot evaluate replies --json` (with the same confidence gate,
`--min-token-prob`, default as in config.yaml) plus raw sample replies per language and product
descriptions, straight from the model: before the checks, the gate and the fallback.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogue.nlg.corpus import load_corpus, model_input
from dialogue.nlg.evaluation import evaluate_model
from dialogue.nlg.model import ReplyModel
from dialogue.nlg.settings import NlgSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="var/models/nlg")
    parser.add_argument("--data", default="dialogue/data")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-samples", type=int, default=60)
    parser.add_argument("--samples", type=int, default=10, help="sample raw replies per language")
    parser.add_argument("--products", type=int, default=5, help="sample product descriptions per language")
    parser.add_argument(
        "--min-token-prob",
        type=float,
        default=NlgSettings().min_token_prob,
        help="the confidence gate (default: nlg.min_token_prob's default)",
    )
    args = parser.parse_args()
    model = ReplyModel.from_pretrained(args.model)  # no gate: the samples are the model's own words
    corpus = load_corpus(args.data)
    rng = random.Random(7)
    names = sorted(n for n in corpus.catalog.outcomes if n != "product_description")
    for lang in ("en", "zh"):
        print(f"--- sample raw replies ({lang})")
        for name in rng.sample(names, args.samples):
            facts = corpus.catalog.get(name).fact_combinations()[-1]
            print(f"{name:24s} {model.generate([model_input(name, facts, lang)])[0]}")
        print(f"--- sample product descriptions ({lang})")
        product = corpus.catalog.get("product_description")
        for facts in rng.sample(product.fact_combinations(), args.products):
            print(f"{'+'.join(facts):40s} {model.generate([model_input(product.name, facts, lang)])[0]}")
    model.min_token_prob = args.min_token_prob
    result = evaluate_model(
        model, args.data, latency_samples=args.latency_samples, concurrency=args.concurrency
    )
    result["model_size_mb"] = round(model.size_bytes / 1e6, 2)
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()

"""Industry classification across languages: bench/data/industries_xling.csv (72 EN + 72 ZH descriptions,
12 industries, written apart from the labelled examples in dialogue/data/industries.yml).

For each encoder: accuracy per language, top-3 accuracy, the mean confidence of right and wrong answers,
and the answer for the issue's example sentence. The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dialogue.actions.sales.industries import IndustryClassifier, load_calibration, load_industries  # noqa: E402
from nlu.encoder import SyncEncoder, load_english_encoder  # noqa: E402
from nlu.gloss import gloss  # noqa: E402
from nlu.multilingual import CenteredEncoder, E5Encoder, e5_center  # noqa: E402

EXAMPLE = "该公司主要从事软件开发和IT服务。"


class Async:
    def __init__(self, encoder: SyncEncoder, *, glossed: bool = False) -> None:
        self._encoder = encoder
        self._glossed = glossed

    async def encode(self, texts: Sequence[str]) -> Any:
        return self._encoder.encode([gloss(t) for t in texts] if self._glossed else list(texts))


async def run(name: str, embedder: Async, rows: list[dict[str, str]]) -> dict[str, Any]:
    clf = IndustryClassifier(load_industries(), embedder, calibration=load_calibration())
    out: dict[str, Any] = {}
    for lang in ("en", "zh"):
        own = [r for r in rows if r["language"] == lang]
        right, top3, conf_right, conf_wrong = 0, 0, [], []
        for r in own:
            guess = await clf.classify([(r["text"], 1.0)])
            ok = guess.label.key == r["industry"]
            right += ok
            top3 += r["industry"] in [k for k, _ in guess.ranking]
            (conf_right if ok else conf_wrong).append(guess.confidence)
        out[lang] = {
            "accuracy": round(right / len(own), 4),
            "top3": round(top3 / len(own), 4),
            "mean_confidence_right": round(float(np.mean(conf_right)), 3) if conf_right else None,
            "mean_confidence_wrong": round(float(np.mean(conf_wrong)), 3) if conf_wrong else None,
            "n": len(own),
        }
    example = await clf.classify([(EXAMPLE, 1.0)])
    out["example"] = {"answer": example.label.key, "ranking": example.ranking, "nearest": example.nearest}
    out["temperature"] = round(await clf.temperature(), 4)
    print(
        f"{name:<22} en {out['en']['accuracy']:.3f} (top-3 {out['en']['top3']:.3f})   "
        f"zh {out['zh']['accuracy']:.3f} (top-3 {out['zh']['top3']:.3f})   example -> {example.ranking}",
        flush=True,
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "industries_xling.csv")
    ns = parser.parse_args()
    with ns.data.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    minilm = load_english_encoder("")
    e5 = E5Encoder()
    options = {
        "minilm": Async(minilm),
        "minilm+gloss": Async(minilm, glossed=True),
        "e5": Async(e5),
        "e5 centered (default)": Async(CenteredEncoder(e5, e5_center())),
    }
    results = {name: asyncio.run(run(name, embedder, rows)) for name, embedder in options.items()}
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()

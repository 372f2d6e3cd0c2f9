"""Held-out accuracy and parse() latency of two NLU set-ups, timed interleaved message by message so that
both see the same load.

Default: the routed encoder (MiniLM for English, multilingual-e5-small for Chinese; var/models/nlu) against
MiniLM alone with glossed Chinese (var/models/nlu-none, trained here when missing). One message at a
time, the held-out set's texts, `--rounds` passes. The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlu.evaluate import compute_metrics, predict_all, read_labelled_csv  # noqa: E402
from nlu.language import detect_language  # noqa: E402
from nlu.parser import load_parser  # noqa: E402
from nlu.train import ensure_trained  # noqa: E402

SETUPS = {"e5": ROOT / "var" / "models" / "nlu", "none": ROOT / "var" / "models" / "nlu-none"}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--heldout", type=Path, default=ROOT / "bench" / "data" / "nlu_heldout.csv")
    parser.add_argument("--rounds", type=int, default=3)
    ns = parser.parse_args()
    for multilingual, model_dir in SETUPS.items():
        ensure_trained(model_dir=model_dir, multilingual=multilingual, progress=False)
    parsers = {m: load_parser(d, multilingual=m) for m, d in SETUPS.items()}
    rows = read_labelled_csv(ns.heldout)
    texts = [r.text for r in rows]
    accuracy: dict[str, dict[str, Any]] = {}
    for name, p in parsers.items():
        metrics = compute_metrics(await predict_all(p, rows))
        accuracy[name] = {k: metrics[k] for k in ("accuracy", "en_accuracy", "zh_accuracy", "oos_recall")}
        print(f"{name:<5} held-out {accuracy[name]}")
    for p in parsers.values():
        for text in texts[:5]:
            await p.parse(text)  # warm-up
    times: dict[str, dict[str, list[float]]] = {m: {"en": [], "zh": []} for m in parsers}
    for _ in range(ns.rounds):
        for text in texts:
            lang = detect_language(text)
            for name, p in parsers.items():
                started = time.perf_counter()
                await p.parse(text)
                times[name][lang].append(1000 * (time.perf_counter() - started))
    out: dict[str, Any] = {}
    for name, per in times.items():
        every = per["en"] + per["zh"]
        out[name] = {
            "p50_ms": round(statistics.median(every), 2),
            "p50_ms_en": round(statistics.median(per["en"]), 2),
            "p50_ms_zh": round(statistics.median(per["zh"]), 2),
            "p90_ms": round(sorted(every)[int(0.9 * len(every))], 2),
        }
        out[name].update(accuracy[name])
        row = out[name]
        print(f"{name:<5} p50 {row['p50_ms']} ms (en {row['p50_ms_en']}, zh {row['p50_ms_zh']})")
        await parsers[name].aclose()
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())

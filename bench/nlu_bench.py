"""NLU benchmarks: BANKING77, CLINC150 (with out-of-scope), the default domain's held-out set, latency.

Reads /work/shared/data in place (override with --data). Embeddings are cached in var/cache/embeddings
keyed by encoder id and texts hash, so reruns only pay for training. The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlu.classifier import ClassifierArgs, IntentClassifier  # noqa: E402
from nlu.encoder import SyncEncoder, cached_encode, load_encoder  # noqa: E402
from nlu.evaluate import compute_metrics, predict_all, read_labelled_csv  # noqa: E402
from nlu.language import detect_language  # noqa: E402
from nlu.multilingual import E5Encoder  # noqa: E402
from nlu.parser import load_parser  # noqa: E402
from nlu.train import ensure_trained  # noqa: E402
from nlu.types import OUT_OF_SCOPE  # noqa: E402

BASELINES = {
    "banking77_accuracy": 0.929,
    "clinc_in_scope_accuracy_no_oos": 0.953,
    "clinc_in_scope_accuracy": 0.942,
    "clinc_oos_recall": 0.607,
}


def log(message: str) -> None:
    print(message, flush=True)


def read_csv(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def throughput(encoder: SyncEncoder, clf: IntentClassifier, texts: list[str]) -> float:
    """Messages per second of encode + head on fresh (uncached) texts, batch 64."""
    started = time.perf_counter()
    emb = encoder.encode(texts)
    clf.predict_from_embeddings(emb, texts)
    return len(texts) / (time.perf_counter() - started)


def bench_banking(encoder: SyncEncoder, data: Path, cache: Path, c: float) -> dict[str, Any]:
    train_x, train_y = read_csv(data / "banking77" / "train.csv")
    test_x, test_y = read_csv(data / "banking77" / "test.csv")
    train_e = cached_encode(encoder, train_x, cache)
    test_e = cached_encode(encoder, test_x, cache)
    started = time.perf_counter()
    clf = IntentClassifier(args=ClassifierArgs(c=c, calibration_folds=0))
    clf.fit(train_x, train_y, embeddings=train_e)
    train_s = time.perf_counter() - started
    pred = clf.predict_from_embeddings(test_e, test_x)
    acc = float(np.mean([p == g for p, g in zip(pred, test_y, strict=True)]))
    rate = throughput(encoder, clf, test_x[:256])
    log(
        f"BANKING77  accuracy {acc:.4f}   "
        f"(baseline frozen MiniLM + logreg: {BASELINES['banking77_accuracy']})"
        f"   head training {train_s:.1f}s   encode+classify {rate:.0f} msg/s"
    )
    return {
        "banking77_accuracy": round(acc, 4),
        "banking77_train_seconds": round(train_s, 1),
        "banking77_msgs_per_second": round(rate, 1),
    }


def bench_clinc(encoder: SyncEncoder, data: Path, cache: Path, c: float, drop: float) -> dict[str, Any]:
    full = json.loads((data / "clinc150" / "data_full.json").read_text(encoding="utf-8"))

    def split(name: str, oos: bool = False) -> tuple[list[str], list[str], Any]:
        texts = [t for t, _ in full[name]]
        labels = [OUT_OF_SCOPE if oos else label for _, label in full[name]]
        return texts, labels, cached_encode(encoder, texts, cache)

    tx, ty, te = split("train")
    ox, oy, oe = split("oos_train", oos=True)
    vx, vy, ve = split("val")
    vox, voy, voe = split("oos_val", oos=True)
    sx, sy, se = split("test")
    sox, _soy, soe = split("oos_test", oos=True)
    started = time.perf_counter()
    clf = IntentClassifier(args=ClassifierArgs(c=c, calibration_folds=0, oos_max_in_scope_drop=drop))
    report = clf.fit(
        tx + ox,
        ty + oy,
        embeddings=np.concatenate([te, oe]),
        tune=(vx + vox, vy + voy, np.concatenate([ve, voe])),
    )
    train_s = time.perf_counter() - started
    pred_in = clf.predict_from_embeddings(se, sx)
    pred_oos = clf.predict_from_embeddings(soe, sox)
    in_acc = float(np.mean([p == g for p, g in zip(pred_in, sy, strict=True)]))
    oos_rec = float(np.mean([p == OUT_OF_SCOPE for p in pred_oos]))
    scores = clf.scores_from_embeddings(se, sx)
    labels = clf.labels
    in_scope_cols = [i for i, name in enumerate(labels) if name != OUT_OF_SCOPE]
    forced = [labels[in_scope_cols[int(i)]] for i in scores.probabilities[:, in_scope_cols].argmax(axis=1)]
    no_oos_acc = float(np.mean([p == g for p, g in zip(forced, sy, strict=True)]))
    log(
        f"CLINC150   in-scope accuracy {in_acc:.4f} / oos recall {oos_rec:.4f}   "
        f"(baseline max-prob 0.5: {BASELINES['clinc_in_scope_accuracy']} / {BASELINES['clinc_oos_recall']})"
    )
    log(
        f"CLINC150   in-scope accuracy without OOS handling {no_oos_acc:.4f}   "
        f"(baseline {BASELINES['clinc_in_scope_accuracy_no_oos']})   head training+tuning {train_s:.1f}s   "
        f"tuned T={report.temperature:.2f} oos min_score={report.thresholds.min_score:.3f}"
    )
    return {
        "clinc_in_scope_accuracy": round(in_acc, 4),
        "clinc_oos_recall": round(oos_rec, 4),
        "clinc_in_scope_accuracy_no_oos": round(no_oos_acc, 4),
        "clinc_train_seconds": round(train_s, 1),
    }


async def bench_parser(model_dir: Path, heldout: Path, messages: int, multilingual: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    sync = load_encoder("", multilingual=multilingual)
    parser = load_parser(model_dir, encoder=sync, batch_max_wait_ms=4.0, batch_max_size=64)
    rows = read_labelled_csv(heldout)
    metrics = compute_metrics(await predict_all(parser, rows))
    log(
        f"held-out (self-written, {metrics['n']} msgs): accuracy {metrics['accuracy']}  "
        f"in-scope {metrics['in_scope_accuracy']}  en {metrics['en_accuracy']}  zh {metrics['zh_accuracy']}  "
        f"oos recall {metrics['oos_recall']}  macro-F1 {metrics['macro_f1']}"
    )
    out.update({f"heldout_{k}": v for k, v in metrics.items() if k != "per_intent"})

    texts = [r.text for r in rows]
    for text in texts[:5]:
        await parser.parse(text)  # warm-up
    latencies = []
    texts = texts[::2] + texts[1::2]  # the file is grouped by intent: mix languages into the first 60
    for text in texts[:60]:
        started = time.perf_counter()
        await parser.parse(text)
        latencies.append(1000 * (time.perf_counter() - started))
    p50 = statistics.median(latencies)
    log(f"parse latency, one message at a time: p50 {p50:.1f} ms  p90 {np.percentile(latencies, 90):.1f} ms")
    out["parse_p50_ms"] = round(p50, 2)
    for lang in ("en", "zh"):
        own = [ms for ms, t in zip(latencies, texts[:60], strict=False) if detect_language(t) == lang]
        if own:
            out[f"parse_p50_ms_{lang}"] = round(statistics.median(own), 2)
            log(f"  {lang}: p50 {statistics.median(own):.1f} ms over {len(own)} messages")

    async def concurrent(p: Any, callers: int, total: int) -> float:
        queue = [texts[i % len(texts)] for i in range(total)]

        async def caller(k: int) -> None:
            for i in range(k, total, callers):
                await p.parse(queue[i])

        started = time.perf_counter()
        await asyncio.gather(*(caller(k) for k in range(callers)))
        return total / (time.perf_counter() - started)

    batched_rate = await concurrent(parser, 32, messages)
    await parser.aclose()
    unbatched = load_parser(model_dir, encoder=sync, batch_max_wait_ms=0.0, batch_max_size=1)
    unbatched_rate = await concurrent(unbatched, 32, messages)
    await unbatched.aclose()
    log(
        f"32 concurrent callers: micro-batched {batched_rate:.0f} msg/s "
        f"vs unbatched {unbatched_rate:.0f} msg/s "
        f"({batched_rate / unbatched_rate:.1f}x)"
    )
    out.update(
        {
            "throughput_batched_msgs_per_second": round(batched_rate, 1),
            "throughput_unbatched_msgs_per_second": round(unbatched_rate, 1),
            "batching_speedup": round(batched_rate / unbatched_rate, 2),
        }
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "cache" / "embeddings")
    parser.add_argument("--model-dir", type=Path, default=ROOT / "var" / "models" / "nlu")
    parser.add_argument("--heldout", type=Path, default=ROOT / "bench" / "data" / "nlu_heldout.csv")
    parser.add_argument("--c", type=float, default=10.0, help="logistic-regression C")
    parser.add_argument(
        "--clinc-max-drop",
        type=float,
        default=0.01,
        help="CLINC OOS tuning: max in-scope accuracy given up on val for OOS recall",
    )
    parser.add_argument("--messages", type=int, default=320, help="messages in the throughput test")
    parser.add_argument("--skip", action="append", default=[], choices=["banking", "clinc", "parser"])
    parser.add_argument(
        "--encoder",
        default="minilm",
        choices=["minilm", "e5"],
        help="BANKING77 and CLINC150 (English): the bundled MiniLM (the default routes English to it) "
        "or multilingual-e5-small alone",
    )
    parser.add_argument(
        "--multilingual",
        default="e5",
        choices=["e5", "none"],
        help="held-out set and latency: the default (MiniLM for English, e5 for Chinese) or MiniLM alone",
    )
    ns = parser.parse_args()
    results: dict[str, Any] = {"encoder": ns.encoder, "multilingual": ns.multilingual}
    encoder: SyncEncoder = E5Encoder() if ns.encoder == "e5" else load_encoder("", multilingual="none")
    if "banking" not in ns.skip:
        results.update(bench_banking(encoder, ns.data, ns.cache, ns.c))
    if "clinc" not in ns.skip:
        results.update(bench_clinc(encoder, ns.data, ns.cache, ns.c, ns.clinc_max_drop))
    if "parser" not in ns.skip:
        ensure_trained(model_dir=ns.model_dir, progress=False, multilingual=ns.multilingual)
        results.update(asyncio.run(bench_parser(ns.model_dir, ns.heldout, ns.messages, ns.multilingual)))
    print(json.dumps(results))


if __name__ == "__main__":
    main()

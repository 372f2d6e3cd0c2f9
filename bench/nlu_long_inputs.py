"""Micro-benchmark: what one message at a platform's maximum size costs each NLU step.

Inputs: 4,096 emoji (Telegram's limit), 40,000 characters of order numbers and 40,000 characters of
Chinese (Slack's limit), and a short "hello" for reference. Steps: language, sentiment (VADER/lexicon,
and SnowNLP when enabled), entities (with the demo customer and supplier names), the encoder input
(gloss, tokenize, encode, intent head), the whole of `parse_batch_sync`, and what the message adds
to a batch of 30 short messages (the micro-batcher's view of "another conversation"). Times are the
fastest of --repeat runs in milliseconds (on a shared CPU the fastest run is the least disturbed).
Needs a trained model (`opsbot train nlu`); the SnowNLP rows show its cost on unbroken Han text.

    .venv/bin/python bench/nlu_long_inputs.py [--model var/models/nlu] [--repeat 5] [--json out.json]
        [--multilingual none|e5]  # the encoder the model was trained with
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dialogue.demo import load_demo  # noqa: E402
from nlu.dataset import default_data_dir, load_examples  # noqa: E402
from nlu.encoder import load_encoder  # noqa: E402
from nlu.entities import EntityExtractor  # noqa: E402
from nlu.language import detect_language  # noqa: E402
from nlu.parser import NluParser, load_parser  # noqa: E402
from nlu.sentiment import SentimentAnalyzer  # noqa: E402
from nlu.types import KnownName  # noqa: E402

EMOJI = "😀😂👍🙏🔥🎉😡😭💯🤔👀✅❌📦🚚💰"


def emoji_message(size: int = 4096) -> str:
    return "".join(itertools.islice(itertools.cycle(EMOJI), size))


def order_numbers_message(size: int = 40_000) -> str:
    parts = ["status of these please:"]
    length = len(parts[0])
    for n in itertools.count(100_001):
        part = f"PO-{n}"
        if length + len(part) + 2 > size:
            break
        parts.append(part)
        length += len(part) + 2
    return ", ".join(parts)[:size]


def chinese_message(size: int = 40_000) -> str:
    sentences = [e.text for e in load_examples(default_data_dir()) if e.language == "zh"]
    out: list[str] = []
    length = 0
    for sentence in itertools.cycle(sentences):
        if length >= size:
            break
        out.append(sentence + "。")
        length += len(sentence) + 1
    return "".join(out)[:size]


class DemoNames:
    def __init__(self) -> None:
        demo = load_demo(dt.date(2026, 3, 4))
        self._names = [KnownName("customer", c.id, c.name) for c in demo.customers] + [
            KnownName("supplier", s.id, s.name, (s.name_zh,) if s.name_zh else ()) for s in demo.suppliers
        ]

    def known_names(self) -> Sequence[KnownName]:
        return self._names


def best_ms(repeat: int, fn: Callable[..., object], *args: object) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - started) * 1000)
    return round(min(times), 2)


def added_ms(repeat: int, parser: NluParser, text: str) -> float:
    """What `text` adds to a batch of 30 short messages (runs with and without it interleaved)."""
    alone, together = [], []
    for _ in range(repeat):
        alone.append(best_ms(1, parser.parse_batch_sync, SHORT))
        together.append(best_ms(1, parser.parse_batch_sync, [*SHORT, text]))
    return round(min(together) - min(alone), 2)


def encoder_step(parser: NluParser, text: str) -> None:
    """What parse_batch_sync does for the intent: (capped) text -> gloss -> encoder -> head."""
    texts = parser.encoder_texts([text]) if hasattr(parser, "encoder_texts") else [text]
    embeddings = parser.encoder.encoder.encode(parser.classifier.encoder_inputs(texts))
    parser.classifier.scores_from_embeddings(embeddings, texts)


SHORT = [
    "hello",
    "where is PO-1001?",
    "发票2231付款了吗",
    "thanks!",
    "stock for AB-1020 is now 450 units",
] * 6


def run(model: Path, repeat: int, multilingual: str) -> dict[str, Any]:
    sync = load_encoder("", multilingual=multilingual)
    names = DemoNames()
    parser = load_parser(model, encoder=sync, name_lookup=names, clock=lambda: dt.date(2026, 3, 4))
    extractor = EntityExtractor(name_lookup=names, clock=lambda: dt.date(2026, 3, 4))
    sentiment = SentimentAnalyzer()
    snownlp = SentimentAnalyzer(use_snownlp=True)
    inputs = {
        "hello": "hello",
        "4,096 emoji": emoji_message(),
        "40,000 chars of order numbers": order_numbers_message(),
        "40,000 chars of Chinese": chinese_message(),
    }
    parser.parse_batch_sync(["warm up", "预热"])
    others = best_ms(repeat, parser.parse_batch_sync, SHORT)
    print(f"30 short messages in one batch: {others} ms", flush=True)
    rows: dict[str, dict[str, float]] = {}
    for name, text in inputs.items():
        lang = detect_language(text)
        row = {
            "language": best_ms(repeat, detect_language, text),
            "sentiment": best_ms(repeat, sentiment.analyze, text, lang),
            "sentiment (SnowNLP on)": best_ms(repeat, snownlp.analyze, text, "zh"),
            "entities": best_ms(repeat, extractor.extract, text),
            "encoder": best_ms(repeat, encoder_step, parser, text),
            "parse (all)": best_ms(repeat, parser.parse_batch_sync, [text]),
            "added to a batch of 30": added_ms(repeat, parser, text),
        }
        rows[name] = row
        print(f"{name:<32} " + "  ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    from snownlp import SnowNLP

    han = "".join(ch for ch in inputs["40,000 chars of Chinese"] if "\u4e00" <= ch <= "\u9fff")
    scaling = {}
    for size in (250, 500, 1000, 2000):
        scaling[size] = best_ms(3, lambda t: SnowNLP(t).sentiments, han[:size])
        capped = best_ms(3, snownlp.analyze, han[:size], "zh")
        print(
            f"SnowNLP on {size} Han characters without punctuation: {scaling[size]} ms; "
            f"analyzer (SnowNLP on): {capped} ms",
            flush=True,
        )
    return {
        "batch_of_30_short_ms": others,
        "snownlp_unbroken_han_ms": scaling,
        "machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}",
        "repeat": repeat,
        "lengths": {k: len(v) for k, v in inputs.items()},
        "ms": rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=ROOT / "var/models/nlu")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None, help="also write the result here")
    ap.add_argument("--multilingual", default="none", help="the encoder the model was trained with")
    args = ap.parse_args()
    result = run(args.model, args.repeat, args.multilingual)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

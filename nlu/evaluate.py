"""Evaluation of a parser on a labelled CSV: metrics, and an optional report directory with plots."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlu.errors import NluError
from nlu.language import detect_language
from nlu.types import OUT_OF_SCOPE, NluResult, Parser

OOS_ALIASES = {"oos", "out_of_scope", "out-of-scope", "outofscope", "none"}


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    label: str


@dataclass(frozen=True, slots=True)
class Outcome:
    text: str
    gold: str
    predicted: str
    confidence: float
    language: str


def read_labelled_csv(path: Path) -> list[LabelledText]:
    """Rows of a CSV with a `text` column and an `intent` or `category` column."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "text" not in fields:
            raise NluError(f"{path}: needs a 'text' column (got {fields})")
        label_field = next((f for f in ("intent", "category", "label") if f in fields), None)
        if label_field is None:
            raise NluError(f"{path}: needs an 'intent' or 'category' column")
        rows = []
        for raw in reader:
            row = {str(k).strip().lower(): (v or "") for k, v in raw.items() if k is not None}
            label = row[label_field].strip()
            rows.append(
                LabelledText(row["text"].strip(), OUT_OF_SCOPE if label.lower() in OOS_ALIASES else label)
            )
    return [r for r in rows if r.text]


async def predict_all(
    parser: Parser, rows: Sequence[LabelledText], *, concurrency: int = 64
) -> list[Outcome]:
    """Parse every row, `concurrency` at a time (the parser's micro-batcher groups them)."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(row: LabelledText) -> NluResult:
        async with semaphore:
            return await parser.parse(row.text)

    results = await asyncio.gather(*(one(r) for r in rows))
    return [
        Outcome(r.text, r.label, res.intent, res.confidence, res.language or detect_language(r.text))
        for r, res in zip(rows, results, strict=True)
    ]


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else float("nan")


def compute_metrics(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    gold = [o.gold for o in outcomes]
    pred = [o.predicted for o in outcomes]
    labels = sorted(set(gold) | set(pred))
    correct = [g == p for g, p in zip(gold, pred, strict=True)]
    in_scope = [c for c, g in zip(correct, gold, strict=True) if g != OUT_OF_SCOPE]
    oos = [c for c, g in zip(correct, gold, strict=True) if g == OUT_OF_SCOPE]
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    per_intent = {
        label: {
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(s[i]),
        }
        for i, label in enumerate(labels)
    }
    by_lang = {
        lang: [c for c, o in zip(correct, outcomes, strict=True) if o.language == lang]
        for lang in ("en", "zh")
    }
    gold_labels = sorted(set(gold))
    return {
        "n": len(outcomes),
        "accuracy": _ratio(sum(correct), len(correct)),
        "macro_f1": round(
            float(f1_score(gold, pred, labels=gold_labels, average="macro", zero_division=0)), 4
        ),
        "in_scope_accuracy": _ratio(sum(in_scope), len(in_scope)),
        "oos_recall": _ratio(sum(oos), len(oos)),
        "en_accuracy": _ratio(sum(by_lang["en"]), len(by_lang["en"])),
        "zh_accuracy": _ratio(sum(by_lang["zh"]), len(by_lang["zh"])),
        "n_en": len(by_lang["en"]),
        "n_zh": len(by_lang["zh"]),
        "n_oos": len(oos),
        "per_intent": per_intent,
    }


def write_report(outcomes: Sequence[Outcome], metrics: dict[str, Any], directory: Path) -> list[Path]:
    """per_intent.csv/.md, misclassified.csv, metrics.json, confusion_matrix.png, confidence_histogram.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.metrics import confusion_matrix

    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    per_intent: dict[str, dict[str, float]] = metrics["per_intent"]

    table = directory / "per_intent.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["intent", "precision", "recall", "f1", "support"])
        for label, m in per_intent.items():
            writer.writerow([label, m["precision"], m["recall"], m["f1"], m["support"]])
    written.append(table)
    md = directory / "per_intent.md"
    lines = ["| intent | precision | recall | F1 | support |", "| --- | --- | --- | --- | --- |"]
    lines += [
        f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
        for k, v in per_intent.items()
    ]
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written.append(md)

    wrong = directory / "misclassified.csv"
    with wrong.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "gold", "predicted", "confidence", "language"])
        for o in outcomes:
            if o.gold != o.predicted:
                writer.writerow([o.text, o.gold, o.predicted, f"{o.confidence:.3f}", o.language])
    written.append(wrong)

    summary = directory / "metrics.json"
    summary.write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    written.append(summary)

    labels = sorted({o.gold for o in outcomes} | {o.predicted for o in outcomes})
    matrix = confusion_matrix([o.gold for o in outcomes], [o.predicted for o in outcomes], labels=labels)
    size = max(6.0, 0.45 * len(labels))
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=6)
    fig.tight_layout()
    png = directory / "confusion_matrix.png"
    fig.savefig(png, dpi=120)
    plt.close(fig)
    written.append(png)

    fig, ax = plt.subplots(figsize=(7, 4))
    right = np.array([o.confidence for o in outcomes if o.gold == o.predicted])
    wrong_conf = np.array([o.confidence for o in outcomes if o.gold != o.predicted])
    bins = [i / 20 for i in range(21)]
    ax.hist([right, wrong_conf], bins=bins, label=["correct", "wrong"], stacked=True)
    ax.set_xlabel("confidence")
    ax.set_ylabel("messages")
    ax.legend()
    fig.tight_layout()
    hist = directory / "confidence_histogram.png"
    fig.savefig(hist, dpi=120)
    plt.close(fig)
    written.append(hist)
    return written

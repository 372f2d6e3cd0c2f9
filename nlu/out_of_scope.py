"""Calibrated probabilities and the out-of-scope rule of the intent classifier.

A temperature fitted on held-out predictions calibrates the head's probabilities; a message is out
of scope when the `out_of_scope` class wins, or when a weighted score of three standardized signals
(the out_of_scope probability, kNN similarity to in-scope training data, the top in-scope
probability) is below a threshold; weights and threshold are tuned on the same held-out predictions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize_scalar

from nlu.types import OUT_OF_SCOPE

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class OosThresholds:
    """Out-of-scope rule, tuned on held-out predictions.

    The OOS score is a weighted mean of three standardized signals (standardized with the held-out
    in-scope statistics): -log p(out_of_scope), kNN cosine similarity to in-scope training data, and
    log of the top in-scope probability. The weights and `min_score` are tuned together on the same
    held-out predictions. A message is out_of_scope when the out_of_scope class wins, when its score
    is below `min_score`, or when its top probability is below `min_confidence` (an override).
    """

    min_score: float = -1e9
    center: tuple[float, float, float] = (0.0, 0.0, 0.0)
    scale: tuple[float, float, float] = (0.0, 0.0, 0.0)  # 0 = signal unused
    min_confidence: float = 0.0
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0)


def softmax(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return out


def calibrate(proba: FloatArray, temperature: float) -> FloatArray:
    logp = np.log(np.clip(proba, 1e-9, 1.0)) / temperature
    return softmax(logp)


def fit_temperature(proba: FloatArray, y: npt.NDArray[np.int64]) -> float:
    def nll(log_t: float) -> float:
        p = calibrate(proba, float(np.exp(log_t)))
        return float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0)).mean())

    result = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))


def signals_of(proba: FloatArray, similarity: FloatArray, labels: list[str]) -> FloatArray:
    """Rows of (-log p(oos), similarity, log max in-scope p); higher = more in-scope."""
    in_scope = [i for i, label in enumerate(labels) if label != OUT_OF_SCOPE]
    p_oos = proba[:, labels.index(OUT_OF_SCOPE)] if OUT_OF_SCOPE in labels else np.zeros(len(proba))
    top_in = proba[:, in_scope].max(axis=1)
    return np.stack([-np.log(p_oos + 1e-6), similarity, np.log(top_in + 1e-9)], axis=1)


def oos_scores(proba: FloatArray, similarity: FloatArray, labels: list[str], t: OosThresholds) -> FloatArray:
    signals = signals_of(proba, similarity, labels)
    scale = np.array(t.scale)
    weights = np.array(t.weights, dtype=np.float64)
    used = (scale > 0) & (weights > 0)
    if not used.any():
        return np.full(len(proba), np.inf)
    z = (signals[:, used] - np.array(t.center)[used]) / scale[used]
    out: FloatArray = z @ (weights[used] / weights[used].sum())
    return out


def decide_batch(
    proba: FloatArray, similarity: FloatArray, labels: list[str], thresholds: OosThresholds
) -> list[int]:
    """Index of the predicted label per row, or -1 for out_of_scope."""
    oos = labels.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in labels else -1
    top = proba.argmax(axis=1)
    confident = proba[np.arange(len(top)), top] >= thresholds.min_confidence
    near = oos_scores(proba, similarity, labels, thresholds) >= thresholds.min_score
    keep = (top != oos) & confident & near
    return [int(t) if k else -1 for t, k in zip(top, keep, strict=True)]


# Relative weights of the three OOS signals tried when tuning (equal weights first).
_WEIGHT_GRID: list[tuple[float, float, float]] = [(1.0, 1.0, 1.0)] + [
    (a, b, c)
    for a in (0.0, 0.5, 1.0, 2.0)
    for b in (0.0, 0.5, 1.0, 2.0)
    for c in (0.0, 0.5, 1.0, 2.0)
    if (a, b, c) != (1.0, 1.0, 1.0) and a + b + c > 0
]


def tune_thresholds(
    proba: FloatArray,
    similarity: FloatArray,
    y: Sequence[str],
    labels: list[str],
    recall_weight: float,
    max_in_scope_drop: float | None,
) -> tuple[OosThresholds, float, float]:
    is_oos = np.array([label == OUT_OF_SCOPE for label in y])
    if not is_oos.any() or is_oos.all():
        return OosThresholds(), float("nan"), float("nan")
    gold = np.array([labels.index(label) if label != OUT_OF_SCOPE else -1 for label in y])
    signals = signals_of(proba, similarity, labels)
    center = signals[~is_oos].mean(axis=0)
    scale = signals[~is_oos].std(axis=0)
    scale[scale < 1e-9] = 0.0
    if OUT_OF_SCOPE not in labels:
        scale[0] = 0.0
    base = OosThresholds(
        -1e9,
        (float(center[0]), float(center[1]), float(center[2])),
        (float(scale[0]), float(scale[1]), float(scale[2])),
    )
    oos_label = labels.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in labels else -1
    top = proba.argmax(axis=1)
    correct_top = top == gold
    no_rejection_acc = float((correct_top & (top != oos_label))[~is_oos].mean())
    best: tuple[float, float, tuple[float, float, float], float, float] | None = None
    for weights in _WEIGHT_GRID:  # equal weights first: a tie keeps the plainer rule
        candidate = replace(base, weights=weights)
        z = oos_scores(proba, similarity, labels, candidate)
        if not np.isfinite(z).all():
            continue
        for th in [-1e9, *np.unique(np.quantile(z, np.linspace(0, 0.6, 241)))]:
            predicted_oos = (top == oos_label) | (z < th)
            in_acc = float((correct_top & ~predicted_oos)[~is_oos].mean())
            oos_rec = float(predicted_oos[is_oos].mean())
            if max_in_scope_drop is not None:
                if in_acc < no_rejection_acc - max_in_scope_drop:
                    continue
                score = oos_rec + 1e-3 * in_acc
            else:
                score = in_acc + recall_weight * oos_rec
            if best is None or score > best[0] + 1e-12:
                best = (score, float(th), weights, in_acc, oos_rec)
    if best is None:
        return base, no_rejection_acc, 0.0
    return replace(base, min_score=best[1], weights=best[2]), best[3], best[4]


def thresholds_from_json(data: dict[str, Any]) -> OosThresholds:
    center = tuple(float(v) for v in data["center"])
    scale = tuple(float(v) for v in data["scale"])
    weights = tuple(float(v) for v in data.get("weights", (1.0, 1.0, 1.0)))
    return OosThresholds(
        min_score=float(data["min_score"]),
        center=(center[0], center[1], center[2]),
        scale=(scale[0], scale[1], scale[2]),
        min_confidence=float(data.get("min_confidence", 0.0)),
        weights=(weights[0], weights[1], weights[2]),
    )

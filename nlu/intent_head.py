"""The intent head: its training arguments, and the fitted logistic regression plus kNN that score a batch.

`nlu.classifier.IntentClassifier` fits one head per fold (to calibrate) and a final one, and turns their raw
scores into calibrated decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.encoding import Embeddings
from nlu.errors import NluError
from nlu.out_of_scope import softmax
from nlu.types import OUT_OF_SCOPE

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ClassifierArgs:
    """Training arguments of the intent head (validated)."""

    c: float = 10.0
    tfidf_weight: float = 0.6
    char_ngram_min: int = 1
    char_ngram_max: int = 4
    max_tfidf_features: int = 60000
    knn_k: int = 7
    knn_weight: float = 0.25
    knn_temperature: float = 0.05
    oos_sim_k: int = 3
    calibration_folds: int = 3
    oos_recall_weight: float = 1.0
    oos_max_in_scope_drop: float | None = None  # if set: max OOS recall within this in-scope accuracy loss
    max_iter: int = 3000
    seed: int = 13
    balanced: bool = False  # class_weight="balanced" in the logistic regression
    gloss: bool = False  # append English glosses of Chinese domain words before encoding (nlu.gloss)

    def __post_init__(self) -> None:
        checks = {
            "c": self.c > 0,
            "tfidf_weight": self.tfidf_weight >= 0,
            "char_ngram_min": 1 <= self.char_ngram_min <= self.char_ngram_max,
            "max_tfidf_features": self.max_tfidf_features >= 1,
            "knn_k": self.knn_k >= 1,
            "knn_weight": 0 <= self.knn_weight <= 1,
            "knn_temperature": self.knn_temperature > 0,
            "oos_sim_k": self.oos_sim_k >= 1,
            "calibration_folds": self.calibration_folds == 0 or self.calibration_folds >= 2,
            "oos_recall_weight": self.oos_recall_weight >= 0,
            "max_iter": self.max_iter >= 10,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise NluError(f"invalid classifier arguments: {', '.join(bad)}")


@dataclass(slots=True)
class Head:
    """The fitted parts (one fold or the final model)."""

    labels: list[str]
    vectorizer: TfidfVectorizer | None
    logreg: LogisticRegression
    embeddings: Embeddings
    label_index: npt.NDArray[np.int64]
    in_scope_rows: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def features(head: Head, embeddings: Embeddings, texts: Sequence[str], args: ClassifierArgs) -> Any:
    if head.vectorizer is None or args.tfidf_weight == 0:
        return embeddings
    tfidf = head.vectorizer.transform(list(texts)) * args.tfidf_weight
    return sp.hstack([sp.csr_matrix(embeddings), tfidf], format="csr")


def fit_head(
    embeddings: Embeddings,
    texts: Sequence[str],
    labels: Sequence[str],
    all_labels: list[str],
    args: ClassifierArgs,
) -> Head:
    index = {label: i for i, label in enumerate(all_labels)}
    y = np.array([index[label] for label in labels], dtype=np.int64)
    vectorizer: TfidfVectorizer | None = None
    if args.tfidf_weight > 0:
        vectorizer = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(args.char_ngram_min, args.char_ngram_max),
            sublinear_tf=True,
            lowercase=True,
            max_features=args.max_tfidf_features,
            dtype=np.float32,
        )
        vectorizer.fit(list(texts))
    head = Head(
        all_labels,
        vectorizer,
        LogisticRegression(
            C=args.c, max_iter=args.max_iter, class_weight="balanced" if args.balanced else None
        ),
        embeddings,
        y,
    )
    head.logreg.fit(features(head, embeddings, texts, args), y)
    oos = index.get(OUT_OF_SCOPE)
    head.in_scope_rows = np.flatnonzero(y != oos) if oos is not None else np.arange(len(y), dtype=np.int64)
    return head


def logreg_proba(
    head: Head, embeddings: Embeddings, texts: Sequence[str], args: ClassifierArgs
) -> FloatArray:
    """The logistic regression's probabilities, as `predict_proba` computes them for a multinomial
    model (softmax of the linear scores), without building the stacked sparse feature matrix: the
    same numbers at a fraction of the per-call cost of one message."""
    logreg = head.logreg
    coef: FloatArray = logreg.coef_
    if coef.shape[0] < 3:  # binary: sklearn's own sigmoid form
        out: FloatArray = logreg.predict_proba(features(head, embeddings, texts, args))
        return out
    dim = embeddings.shape[1]
    logits: FloatArray = embeddings.astype(np.float64) @ coef[:, :dim].T + logreg.intercept_
    if head.vectorizer is not None and args.tfidf_weight > 0:
        tfidf = head.vectorizer.transform(list(texts))
        logits += np.asarray(tfidf @ coef[:, dim:].T) * args.tfidf_weight
    return softmax(logits)


def raw_scores(
    head: Head, embeddings: Embeddings, texts: Sequence[str], args: ClassifierArgs
) -> tuple[FloatArray, FloatArray]:
    """Blended (uncalibrated) probabilities over head.labels, and mean top-k in-scope similarity."""
    n_labels = len(head.labels)
    proba_lr = np.zeros((len(texts), n_labels))
    proba_lr[:, head.logreg.classes_] = logreg_proba(head, embeddings, texts, args)
    sims = embeddings.astype(np.float32) @ head.embeddings.T
    k = min(args.knn_k, sims.shape[1])
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    top_sims = np.take_along_axis(sims, top, axis=1).astype(np.float64)
    weights = softmax(top_sims / args.knn_temperature)
    proba = proba_lr
    if args.knn_weight > 0:
        proba_knn = np.zeros_like(proba_lr)
        rows = np.repeat(np.arange(len(texts)), k)
        np.add.at(proba_knn, (rows, head.label_index[top].ravel()), weights.ravel())
        proba = (1 - args.knn_weight) * proba_lr + args.knn_weight * proba_knn
    in_sims = sims[:, head.in_scope_rows] if len(head.in_scope_rows) else sims
    kk = min(args.oos_sim_k, in_sims.shape[1])
    similarity = np.sort(np.partition(-in_sims, kk - 1, axis=1)[:, :kk], axis=1)
    return proba, (-similarity).mean(axis=1).astype(np.float64)

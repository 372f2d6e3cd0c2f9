"""Intent classifier: sentence embeddings + char n-gram TF-IDF -> logistic regression, blended with kNN.

Probabilities are calibrated with a temperature fitted on held-out predictions (out-of-fold, or a
given tuning set). Out-of-scope detection combines an `out_of_scope` class (when the training data
has one), a calibrated max-probability threshold and a kNN cosine-similarity threshold to the
in-scope training embeddings; both thresholds are tuned on the same held-out predictions.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import numpy.typing as npt
from sklearn.model_selection import StratifiedKFold

from nlu.encoder import Embeddings, SyncEncoder
from nlu.errors import ModelNotTrainedError, NluError
from nlu.gloss import gloss
from nlu.intent_head import ClassifierArgs, Head, fit_head, raw_scores
from nlu.out_of_scope import (
    OosThresholds,
    calibrate,
    decide_batch,
    fit_temperature,
    thresholds_from_json,
    tune_thresholds,
)
from nlu.types import OUT_OF_SCOPE

__all__ = ["ClassifierArgs", "IntentClassifier", "Prediction", "Scores", "TuningReport"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[str], None]

META_FILE = "meta.json"
HEAD_FILE = "head.joblib"
EMBEDDINGS_FILE = "train_embeddings.npy"
FORMAT_VERSION = 2


@dataclass(frozen=True, slots=True)
class Scores:
    """Raw scores of a batch: calibrated probabilities over `labels`, and kNN similarity to in-scope data."""

    probabilities: FloatArray
    similarity: FloatArray
    routes: tuple[str, ...] = ()  # per row, the head that scored it (nlu.bilingual); empty for one head


@dataclass(frozen=True, slots=True)
class Prediction:
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    ambiguous: bool
    similarity: float


@dataclass(frozen=True, slots=True)
class TuningReport:
    temperature: float
    thresholds: OosThresholds
    heldout_in_scope_accuracy: float
    heldout_oos_recall: float
    n_heldout: int


class IntentClassifier:
    """Trained intent head; setfit-like API: fit, predict, predict_proba, save_pretrained, from_pretrained."""

    def __init__(
        self,
        *,
        args: ClassifierArgs | None = None,
        encoder: SyncEncoder | None = None,
        head: Head | None = None,
        temperature: float = 1.0,
        thresholds: OosThresholds | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.args = args or ClassifierArgs()
        self.encoder = encoder
        self._head = head
        self.temperature = temperature
        self.thresholds = thresholds or OosThresholds()
        self.metadata: dict[str, Any] = dict(metadata or {})

    # ---- properties -------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        return list(self._require_head().labels)

    @property
    def intents(self) -> list[str]:
        return [label for label in self.labels if label != OUT_OF_SCOPE]

    def encoder_inputs(self, texts: Sequence[str]) -> list[str]:
        """What the encoder sees for these texts (glossed when args.gloss)."""
        return [gloss(t) for t in texts] if self.args.gloss else list(texts)

    def _require_head(self) -> Head:
        if self._head is None:
            raise ModelNotTrainedError("the intent classifier is not trained")
        return self._head

    def _require_encoder(self) -> SyncEncoder:
        if self.encoder is None:
            raise NluError("no encoder attached; pass encoder= or use the *_from_embeddings methods")
        return self.encoder

    # ---- training ---------------------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        embeddings: Embeddings | None = None,
        tune: tuple[Sequence[str], Sequence[str], Embeddings] | None = None,
        progress: Progress | None = None,
    ) -> TuningReport:
        """Fit the head; tune temperature and OOS thresholds on `tune` (texts, labels, embeddings) or OOF."""
        if len(texts) != len(labels):
            raise NluError("texts and labels differ in length")
        if embeddings is None:
            embeddings = self._require_encoder().encode(self.encoder_inputs(texts))
        all_labels = sorted(set(labels))
        if len(all_labels) < 2:
            raise NluError("need at least two labels to train")
        args = self.args
        say = progress or (lambda _msg: None)
        started = time.perf_counter()
        heldout_proba: FloatArray | None = None
        heldout_sim: FloatArray | None = None
        heldout_labels: list[str] = []
        if tune is not None:
            tune_texts, tune_labels, tune_emb = tune
            say("fitting head")
            head = fit_head(embeddings, texts, labels, all_labels, args)
            heldout_proba, heldout_sim = raw_scores(head, tune_emb, tune_texts, args)
            heldout_labels = list(tune_labels)
        else:
            head = None
            if args.calibration_folds:
                heldout_proba, heldout_sim, heldout_labels = self._out_of_fold(
                    embeddings, texts, labels, all_labels, say
                )
            say("fitting head")
            head = fit_head(embeddings, texts, labels, all_labels, args)
        self._head = head
        report = TuningReport(1.0, OosThresholds(), float("nan"), float("nan"), 0)
        if heldout_proba is not None and heldout_sim is not None:
            known = [
                i for i, label in enumerate(heldout_labels) if label in all_labels or label == OUT_OF_SCOPE
            ]
            proba, sim = heldout_proba[known], heldout_sim[known]
            gold = [heldout_labels[i] for i in known]
            scoring_rows = [i for i, label in enumerate(gold) if label in all_labels]
            y = np.array([all_labels.index(gold[i]) for i in scoring_rows], dtype=np.int64)
            say("calibrating")
            self.temperature = fit_temperature(proba[scoring_rows], y) if len(y) else 1.0
            calibrated = calibrate(proba, self.temperature)
            thresholds, in_acc, oos_rec = tune_thresholds(
                calibrated, sim, gold, all_labels, args.oos_recall_weight, args.oos_max_in_scope_drop
            )
            self.thresholds = thresholds
            report = TuningReport(self.temperature, thresholds, in_acc, oos_rec, len(gold))
        logger.info(
            "trained intent head on %d examples, %d labels in %.1fs (T=%.2f, %s)",
            len(texts),
            len(all_labels),
            time.perf_counter() - started,
            self.temperature,
            self.thresholds,
        )
        self.metadata["tuning"] = asdict(report)
        return report

    def _out_of_fold(
        self,
        embeddings: Embeddings,
        texts: Sequence[str],
        labels: Sequence[str],
        all_labels: list[str],
        say: Progress,
    ) -> tuple[FloatArray, FloatArray, list[str]]:
        args = self.args
        y = np.array([all_labels.index(label) for label in labels])
        min_count = int(np.bincount(y).min())
        folds = max(2, min(args.calibration_folds, min_count))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=args.seed)
        proba = np.zeros((len(texts), len(all_labels)))
        sim = np.zeros(len(texts))
        text_list = list(texts)
        for fold, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(y)), y), start=1):
            say(f"calibration fold {fold}/{folds}")
            head = fit_head(
                embeddings[train_idx],
                [text_list[i] for i in train_idx],
                [labels[i] for i in train_idx],
                all_labels,
                args,
            )
            p, s = raw_scores(head, embeddings[test_idx], [text_list[i] for i in test_idx], args)
            proba[test_idx] = p
            sim[test_idx] = s
        return proba, sim, list(labels)

    # ---- inference --------------------------------------------------------------------------
    def scores_from_embeddings(self, embeddings: Embeddings, texts: Sequence[str]) -> Scores:
        head = self._require_head()
        raw, similarity = raw_scores(head, embeddings, texts, self.args)
        return Scores(calibrate(raw, self.temperature), similarity)

    def decide(
        self,
        scores: Scores,
        *,
        ambiguity_margin: float = 0.15,
        confidence_threshold: float = 0.0,
        top_n: int = 5,
    ) -> list[Prediction]:
        """Turn scores into predictions; confidence_threshold > 0 overrides the tuned one."""
        labels = self._require_head().labels
        thresholds = self.thresholds
        if confidence_threshold > 0:
            thresholds = replace(thresholds, min_confidence=confidence_threshold)
        decisions = decide_batch(scores.probabilities, scores.similarity, labels, thresholds)
        predictions = []
        for row, choice in enumerate(decisions):
            p = scores.probabilities[row]
            order = np.argsort(-p)
            ranking = tuple((labels[i], round(float(p[i]), 4)) for i in order[:top_n])
            in_scope = [i for i in order if labels[i] != OUT_OF_SCOPE]
            if choice < 0:
                oos_conf = float(p[labels.index(OUT_OF_SCOPE)]) if OUT_OF_SCOPE in labels else 0.0
                confidence = max(oos_conf, 1.0 - float(p[in_scope[0]])) if in_scope else 1.0
                predictions.append(
                    Prediction(OUT_OF_SCOPE, confidence, ranking, False, float(scores.similarity[row]))
                )
                continue
            margin = float(p[in_scope[0]] - p[in_scope[1]]) if len(in_scope) > 1 else 1.0
            predictions.append(
                Prediction(
                    labels[choice],
                    float(p[choice]),
                    ranking,
                    margin < ambiguity_margin,
                    float(scores.similarity[row]),
                )
            )
        return predictions

    def predict_from_embeddings(self, embeddings: Embeddings, texts: Sequence[str]) -> list[str]:
        return [p.intent for p in self.decide(self.scores_from_embeddings(embeddings, texts))]

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        """Calibrated probabilities over `self.labels` (columns), one row per text."""
        embeddings = self._require_encoder().encode(self.encoder_inputs(texts))
        return self.scores_from_embeddings(embeddings, texts).probabilities

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Intent per text, `out_of_scope` included."""
        embeddings = self._require_encoder().encode(self.encoder_inputs(texts))
        return self.predict_from_embeddings(embeddings, texts)

    # ---- persistence ------------------------------------------------------------------------
    def save_pretrained(self, directory: Path | str) -> None:
        head = self._require_head()
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        joblib.dump(
            {
                "vectorizer": head.vectorizer,
                "logreg": head.logreg,
                "label_index": head.label_index,
                "in_scope_rows": head.in_scope_rows,
            },
            target / HEAD_FILE,
        )
        np.save(target / EMBEDDINGS_FILE, head.embeddings)
        meta = {
            "format_version": FORMAT_VERSION,
            "labels": head.labels,
            "args": asdict(self.args),
            "temperature": self.temperature,
            "thresholds": asdict(self.thresholds),
            **self.metadata,
        }
        tmp = target / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(target / META_FILE)  # written last: its presence marks a complete model

    @classmethod
    def from_pretrained(
        cls, directory: Path | str, *, encoder: SyncEncoder | None = None
    ) -> IntentClassifier:
        source = Path(directory)
        meta_path = source / META_FILE
        if not meta_path.exists():
            raise ModelNotTrainedError(f"no trained NLU model in {source} (run `opsbot train nlu`)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelNotTrainedError(
                f"{source}: model format {meta.get('format_version')} is outdated; retrain"
            )
        parts = joblib.load(source / HEAD_FILE)
        embeddings = np.load(source / EMBEDDINGS_FILE).astype(np.float32, copy=False)
        head = Head(
            list(meta["labels"]),
            parts["vectorizer"],
            parts["logreg"],
            embeddings,
            parts["label_index"],
            parts["in_scope_rows"],
        )
        extra = {
            k: v
            for k, v in meta.items()
            if k not in ("format_version", "labels", "args", "temperature", "thresholds")
        }
        return cls(
            args=ClassifierArgs(**meta["args"]),
            encoder=encoder,
            head=head,
            temperature=float(meta["temperature"]),
            thresholds=thresholds_from_json(meta["thresholds"]),
            metadata=extra,
        )

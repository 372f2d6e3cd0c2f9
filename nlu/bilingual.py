"""Two intent heads behind one routed encoder: English text to the English head, Chinese to the other.

Each head is an `IntentClassifier` trained on every example (English and Chinese) in its own encoder's
space, with its own calibration and out-of-scope thresholds: English keeps all-MiniLM-L6-v2 exactly as
before, and Chinese gets multilingual-e5-small, which also learns from the English examples. A model
directory holds `meta.json` (kind "bilingual", data hash, encoder id) and one sub-directory per head.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from nlu.classifier import FORMAT_VERSION, META_FILE, FloatArray, IntentClassifier, Prediction, Scores
from nlu.encoder import Embeddings, SyncEncoder
from nlu.errors import ModelNotTrainedError, NluError
from nlu.multilingual import ROUTES, route_of
from nlu.types import OUT_OF_SCOPE

KIND = "bilingual"


class IntentModel(Protocol):
    """What the parser needs of an intent model (IntentClassifier and BilingualClassifier)."""

    metadata: dict[str, Any]

    @property
    def labels(self) -> list[str]: ...

    def encoder_inputs(self, texts: Sequence[str]) -> list[str]: ...

    def scores_from_embeddings(self, embeddings: Embeddings, texts: Sequence[str]) -> Scores: ...

    def decide(
        self, scores: Scores, *, ambiguity_margin: float = 0.15, confidence_threshold: float = 0.0
    ) -> list[Prediction]: ...


class BilingualClassifier:
    """Routes each text (nlu.multilingual.route_of) to the head of its language; same labels in both."""

    def __init__(
        self,
        heads: Mapping[str, IntentClassifier],
        *,
        split: int,
        encoder: SyncEncoder | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if set(heads) != set(ROUTES):
            raise NluError(f"a bilingual model needs the heads {ROUTES}, not {sorted(heads)}")
        if heads["en"].labels != heads["zh"].labels:
            raise NluError("the two heads of a bilingual model must share their labels")
        self.heads = dict(heads)
        self.split = (
            split  # columns [0, split) are the English encoder's, [split, ...) the multilingual one's
        )
        self.encoder = encoder
        self.metadata: dict[str, Any] = dict(metadata or {})

    @property
    def labels(self) -> list[str]:
        return self.heads["en"].labels

    @property
    def intents(self) -> list[str]:
        return [label for label in self.labels if label != OUT_OF_SCOPE]

    def encoder_inputs(self, texts: Sequence[str]) -> list[str]:
        """The texts as they are: the routed encoder glosses nothing (its Chinese encoder is multilingual)."""
        return list(texts)

    def _columns(self, embeddings: Embeddings, route: str) -> Embeddings:
        part = embeddings[:, : self.split] if route == "en" else embeddings[:, self.split :]
        return np.ascontiguousarray(part, dtype=np.float32)

    def scores_from_embeddings(self, embeddings: Embeddings, texts: Sequence[str]) -> Scores:
        routes = tuple(route_of(t) for t in texts)
        proba = np.zeros((len(texts), len(self.labels)))
        similarity = np.zeros(len(texts))
        for route in ROUTES:
            rows = [i for i, r in enumerate(routes) if r == route]
            if rows:
                part = self.heads[route].scores_from_embeddings(
                    self._columns(embeddings[rows], route), [texts[i] for i in rows]
                )
                proba[rows] = part.probabilities
                similarity[rows] = part.similarity
        return Scores(proba, similarity, routes)

    def decide(
        self, scores: Scores, *, ambiguity_margin: float = 0.15, confidence_threshold: float = 0.0
    ) -> list[Prediction]:
        """Each row decided by its own head's calibration and out-of-scope thresholds."""
        routes = scores.routes or ("en",) * len(scores.probabilities)
        out: list[Prediction | None] = [None] * len(routes)
        for route in ROUTES:
            rows = [i for i, r in enumerate(routes) if r == route]
            if not rows:
                continue
            part = Scores(scores.probabilities[rows], scores.similarity[rows])
            decided = self.heads[route].decide(
                part, ambiguity_margin=ambiguity_margin, confidence_threshold=confidence_threshold
            )
            for i, prediction in zip(rows, decided, strict=True):
                out[i] = prediction
        return [p for p in out if p is not None]

    def _encode(self, texts: Sequence[str]) -> Embeddings:
        if self.encoder is None:
            raise NluError("no encoder attached; pass encoder= or use the *_from_embeddings methods")
        return self.encoder.encode(list(texts))

    def predict_from_embeddings(self, embeddings: Embeddings, texts: Sequence[str]) -> list[str]:
        return [p.intent for p in self.decide(self.scores_from_embeddings(embeddings, texts))]

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        return self.scores_from_embeddings(self._encode(texts), texts).probabilities

    def predict(self, texts: Sequence[str]) -> list[str]:
        return self.predict_from_embeddings(self._encode(texts), texts)

    def save_pretrained(self, directory: Path | str) -> None:
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        for route, head in self.heads.items():
            head.save_pretrained(target / route)
        meta = {"format_version": FORMAT_VERSION, "kind": KIND, "split": self.split, **self.metadata}
        tmp = target / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(target / META_FILE)  # written last: its presence marks a complete model

    @classmethod
    def from_pretrained(
        cls, directory: Path | str, *, encoder: SyncEncoder | None = None
    ) -> BilingualClassifier:
        source = Path(directory)
        meta = _read_meta(source)
        if meta.get("kind") != KIND:
            raise ModelNotTrainedError(f"{source}: not a bilingual model")
        heads = {route: IntentClassifier.from_pretrained(source / route) for route in ROUTES}
        extra = {k: v for k, v in meta.items() if k not in ("format_version", "kind", "split")}
        return cls(heads, split=int(meta["split"]), encoder=encoder, metadata=extra)


def _read_meta(source: Path) -> dict[str, Any]:
    path = source / META_FILE
    if not path.exists():
        raise ModelNotTrainedError(f"no trained NLU model in {source} (run `opsbot train nlu`)")
    meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelNotTrainedError(
            f"{source}: model format {meta.get('format_version')} is outdated; retrain"
        )
    return meta


def load_classifier(
    directory: Path | str, *, encoder: SyncEncoder | None = None
) -> IntentClassifier | BilingualClassifier:
    """The intent model saved in `directory`: one head, or two behind a routed encoder."""
    if _read_meta(Path(directory)).get("kind") == KIND:
        return BilingualClassifier.from_pretrained(directory, encoder=encoder)
    return IntentClassifier.from_pretrained(directory, encoder=encoder)

"""The industry classifier: labelled example descriptions (dialogue/data/industries.yml) and embeddings.

A label's score blends the cosine to its centroid with the mean cosine of its two nearest examples. The
softmax temperature that turns scores into confidences is fitted once (maximum likelihood) on a
calibration set written apart from the examples (dialogue/data/industries_calibration.yml). Without one,
on the examples themselves, each classified without itself and its nearest example (its translation, as
a rule): that is too easy, and its confidences too sure. An answer gives the top three labels and, as
its reason, the nearest labelled examples.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml
from scipy.optimize import minimize_scalar

from dialogue.embedding import Embedder, EmbeddingCache, normalize_rows, softmax
from dialogue.errors import OpsbotError

INDUSTRIES_FILE = Path(__file__).resolve().parents[2] / "data" / "industries.yml"
CALIBRATION_FILE = INDUSTRIES_FILE.with_name("industries_calibration.yml")
TOP = 3
NEAREST = 2  # labelled examples shown as the reason
FloatArray = npt.NDArray[np.float64]
QUERY_CACHE = 256  # query vectors kept (a customer's description is asked about again)


class IndustryDataError(OpsbotError):
    """dialogue/data/industries.yml is missing or malformed."""


@dataclass(frozen=True, slots=True)
class IndustryLabel:
    key: str
    names: Mapping[str, str]  # language -> display name
    examples: tuple[str, ...]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.key.replace("_", " ")


def load_industries(path: str | Path = INDUSTRIES_FILE) -> list[IndustryLabel]:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IndustryDataError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise IndustryDataError(f"{path}: expected a mapping of industry labels")
    labels = []
    for key, spec in raw.items():
        examples = (spec or {}).get("examples") or []
        if not isinstance(examples, list) or len(examples) < 2:
            raise IndustryDataError(f"{path}: {key} needs at least two examples")
        names = {lang: str(spec[lang]) for lang in ("en", "zh") if spec.get(lang)}
        labels.append(IndustryLabel(str(key), names, tuple(str(e) for e in examples)))
    return labels


def load_calibration(path: str | Path = CALIBRATION_FILE) -> list[tuple[str, str]]:
    """(description, label key) pairs that calibrate the confidences."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise IndustryDataError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise IndustryDataError(f"{path}: expected a mapping of label -> descriptions")
    return [(str(text), str(key)) for key, texts in raw.items() for text in texts or ()]


@dataclass(frozen=True, slots=True)
class IndustryGuess:
    label: IndustryLabel
    confidence: float
    ranking: tuple[tuple[str, float], ...]  # the top three (label key, calibrated probability)
    nearest: tuple[str, ...] = ()  # the labelled examples nearest to the text, of the best label

    def top(self, labels: Mapping[str, IndustryLabel]) -> tuple[tuple[IndustryLabel, float], ...]:
        return tuple((labels[key], p) for key, p in self.ranking)


def label_scores(
    examples: npt.NDArray[np.float32],
    owner: npt.NDArray[np.int64],
    n_labels: int,
    query: npt.NDArray[np.float32],
) -> FloatArray:
    """Per label: 0.5 x cosine to the centroid + 0.5 x mean cosine of its two nearest examples."""
    sims = (examples @ query).astype(np.float64)
    out = np.full(n_labels, -1.0, dtype=np.float64)
    for i in range(n_labels):
        member = owner == i
        if not member.any():
            continue
        centroid = normalize_rows(examples[member].mean(axis=0, keepdims=True))[0]
        nearest = np.sort(sims[member])[::-1][:2]
        out[i] = 0.5 * float(centroid @ query) + 0.5 * float(nearest.mean())
    return out


def fit_temperature(scores: FloatArray, gold: npt.NDArray[np.int64]) -> float:
    """The softmax temperature that minimizes the negative log-likelihood of the gold labels."""

    def nll(log_t: float) -> float:
        t = float(np.exp(log_t))
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(gold)), gold].mean())

    result = minimize_scalar(nll, bounds=(np.log(0.002), np.log(1.0)), method="bounded")
    return float(np.exp(result.x))


class LabelIndex:
    """`label_scores` for one query as a few array operations: the centroids and each label's member rows
    are computed once, when the examples' vectors are."""

    def __init__(
        self, examples: npt.NDArray[np.float32], owner: npt.NDArray[np.int64], n_labels: int
    ) -> None:
        self.examples = examples
        members = [np.flatnonzero(owner == i) for i in range(n_labels)]
        self.counts = np.asarray([len(m) for m in members], dtype=np.intp)
        width = max(1, int(self.counts.max(initial=0)))
        self.rows = np.zeros((n_labels, width), dtype=np.intp)
        self.pad = np.ones((n_labels, width), dtype=bool)
        dim = examples.shape[1] if examples.ndim == 2 else 1
        centroids = np.zeros((n_labels, dim), dtype=np.float32)
        for i, m in enumerate(members):
            self.rows[i, : len(m)] = m
            self.pad[i, : len(m)] = False
            if len(m):
                centroids[i] = normalize_rows(examples[m].mean(axis=0, keepdims=True))[0]
        self.centroids = centroids

    def scores(self, query: npt.NDArray[np.float32]) -> FloatArray:
        sims = (self.examples @ query).astype(np.float64)
        per_label = np.where(self.pad, -np.inf, sims[self.rows])
        if per_label.shape[1] >= 2:
            top = -np.partition(-per_label, 1, axis=1)[:, :2]
            first, second = top.max(axis=1), top.min(axis=1)
        else:
            first = second = per_label[:, 0]
        nearest = np.where(self.counts >= 2, (first + second) / 2, first)
        out = 0.5 * (self.centroids @ query).astype(np.float64) + 0.5 * nearest
        return np.where(self.counts > 0, out, -1.0)


class IndustryClassifier:
    """Nearest centroid blended with the two nearest examples; a fitted temperature gives the confidence."""

    def __init__(
        self,
        labels: Sequence[IndustryLabel],
        embedder: Embedder,
        *,
        temperature: float | None = None,
        calibration: Sequence[tuple[str, str]] = (),
    ) -> None:
        if not labels:
            raise IndustryDataError("no industry labels")
        self._labels = list(labels)
        self._by_key = {label.key: label for label in self._labels}
        self._embedder = embedder
        self._texts = [e for label in self._labels for e in label.examples]
        self._owner = np.asarray([i for i, label in enumerate(self._labels) for _ in label.examples])
        self._cache = EmbeddingCache(embedder, self._texts)
        self._temperature = temperature
        self._calibration = [(text, key) for text, key in calibration if key in self._by_key]
        self._lock = asyncio.Lock()
        self._index: LabelIndex | None = None
        self._queries: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()

    @property
    def labels(self) -> Mapping[str, IndustryLabel]:
        return self._by_key

    async def temperature(self) -> float:
        """The fitted temperature (on the calibration set, else leave-one-out), computed on first use (the
        start-up warm-up: with the label index)."""
        await self._label_index()
        if self._temperature is None:
            async with self._lock:
                if self._temperature is None:
                    vectors = await self._cache.vectors()
                    if self._calibration:
                        self._temperature = await self._calibrated_temperature(vectors)
                    else:
                        self._temperature = self._loo_temperature(vectors)
        return self._temperature

    async def _calibrated_temperature(self, vectors: npt.NDArray[np.float32]) -> float:
        queries = np.asarray(await self._embedder.encode([t for t, _ in self._calibration]), dtype=np.float32)
        rows = [label_scores(vectors, self._owner, len(self._labels), q) for q in queries]
        keys = [label.key for label in self._labels]
        gold = np.asarray([keys.index(key) for _, key in self._calibration], dtype=np.int64)
        return fit_temperature(np.stack(rows), gold)

    def _loo_temperature(self, vectors: npt.NDArray[np.float32]) -> float:
        sims = vectors @ vectors.T
        np.fill_diagonal(sims, -np.inf)
        rows = []
        for j in range(len(self._texts)):
            keep = np.ones(len(self._texts), dtype=bool)
            keep[[j, int(np.argmax(sims[j]))]] = False
            rows.append(label_scores(vectors[keep], self._owner[keep], len(self._labels), vectors[j]))
        return fit_temperature(np.stack(rows), self._owner.astype(np.int64))

    async def warm(self) -> None:
        """The examples' vectors, their index and the temperature, now (at start-up)."""
        await self._label_index()
        await self.temperature()

    async def _label_index(self) -> LabelIndex:
        if self._index is None:
            vectors = await self._cache.vectors()
            if self._index is None:
                self._index = LabelIndex(vectors, self._owner, len(self._labels))
        return self._index

    async def _query(self, text: str) -> npt.NDArray[np.float32]:
        """The text's vector, encoded once: a classification reads it for the scores and the reasons."""
        cached = self._queries.get(text)
        if cached is None:
            cached = np.asarray(await self._embedder.encode([text]), dtype=np.float32)[0]
            self._queries[text] = cached
            if len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        else:
            self._queries.move_to_end(text)
        return cached

    async def scores(self, text: str) -> FloatArray:
        """One similarity score per label (`label_scores`, on the precomputed index)."""
        index = await self._label_index()
        return index.scores(await self._query(text))

    async def nearest_examples(self, text: str, label: IndustryLabel, k: int = NEAREST) -> tuple[str, ...]:
        vectors = await self._cache.vectors()
        query = await self._query(text)
        index = self._labels.index(label)
        rows = np.flatnonzero(self._owner == index)
        order = rows[np.argsort(-(vectors[rows] @ query))][:k]
        return tuple(self._texts[i] for i in order)

    async def classify(self, texts: Sequence[tuple[str, float]]) -> IndustryGuess:
        """Classify weighted texts (e.g. a description weighted 0.8 and purchases weighted 0.2)."""
        total = np.zeros(len(self._labels), dtype=np.float64)
        weight_sum = 0.0
        main, main_weight = "", 0.0
        for text, weight in texts:
            if text.strip() and weight > 0:
                total += weight * await self.scores(text)
                weight_sum += weight
                if weight > main_weight:
                    main, main_weight = text, weight
        if weight_sum:
            total /= weight_sum
        proba = softmax(total, await self.temperature())
        order = np.argsort(-proba)
        ranking = tuple((self._labels[i].key, round(float(proba[i]), 3)) for i in order[:TOP])
        best = self._labels[int(order[0])]
        nearest = await self.nearest_examples(main, best) if main else ()
        return IndustryGuess(best, round(float(proba[order[0]]), 2), ranking, nearest)

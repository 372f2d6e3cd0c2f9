"""The industry classifier: labelled example descriptions (dialogue/data/industries.yml) and embeddings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml

from dialogue.embedding import Embedder, EmbeddingCache, normalize_rows, softmax
from dialogue.errors import OpsbotError

INDUSTRIES_FILE = Path(__file__).resolve().parents[2] / "data" / "industries.yml"


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


@dataclass(frozen=True, slots=True)
class IndustryGuess:
    label: IndustryLabel
    confidence: float
    ranking: tuple[tuple[str, float], ...]


class IndustryClassifier:
    """Nearest centroid blended with the mean of the two nearest examples; softmax gives the confidence."""

    def __init__(
        self, labels: Sequence[IndustryLabel], embedder: Embedder, *, temperature: float = 0.04
    ) -> None:
        if not labels:
            raise IndustryDataError("no industry labels")
        self._labels = list(labels)
        self._embedder = embedder
        self._temperature = temperature
        self._owner = [i for i, label in enumerate(self._labels) for _ in label.examples]
        self._cache = EmbeddingCache(embedder, [e for label in self._labels for e in label.examples])

    async def scores(self, text: str) -> npt.NDArray[np.float64]:
        """One similarity score per label."""
        vectors = await self._cache.vectors()
        query = np.asarray(await self._embedder.encode([text]), dtype=np.float32)[0]
        sims = (vectors @ query).astype(np.float64)
        owner = np.asarray(self._owner)
        out = np.zeros(len(self._labels), dtype=np.float64)
        for i in range(len(self._labels)):
            member = vectors[owner == i]
            centroid = normalize_rows(member.mean(axis=0, keepdims=True))[0]
            nearest = np.sort(sims[owner == i])[::-1][:2]
            out[i] = 0.5 * float(centroid @ query) + 0.5 * float(nearest.mean())
        return out

    async def classify(self, texts: Sequence[tuple[str, float]]) -> IndustryGuess:
        """Classify weighted texts (e.g. a description weighted 0.8 and purchases weighted 0.2)."""
        total = np.zeros(len(self._labels), dtype=np.float64)
        weight_sum = 0.0
        for text, weight in texts:
            if text.strip() and weight > 0:
                total += weight * await self.scores(text)
                weight_sum += weight
        if weight_sum:
            total /= weight_sum
        proba = softmax(total, self._temperature)
        order = np.argsort(-proba)
        ranking = tuple((self._labels[i].key, round(float(proba[i]), 3)) for i in order[:3])
        best = int(order[0])
        return IndustryGuess(self._labels[best], round(float(proba[best]), 2), ranking)

"""Sentence embeddings as the dialogue layer sees them, plus a model-free fallback embedder."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalized float32 rows (nlu.encoder.BatchedEncoder fits)."""

    async def encode(self, texts: Sequence[str]) -> Vectors: ...


def retrieval_view(embedder: Embedder) -> Embedder:
    """The embedder for comparing texts across languages: `embedder.retrieval()` when it offers one
    (nlu.encoder.BatchedEncoder: its multilingual encoder), else the embedder itself."""
    view = getattr(embedder, "retrieval", None)
    if callable(view):
        found: Embedder = view()
        return found
    return embedder


_LATIN_WORD = re.compile(r"[a-z0-9]+")
_EN_STOPWORD_TEXT = (
    "a an the is are was were be been to of in on at for by with and or but if do does did i me my we our "
    "you your it its this that these those what whats which who whom how when where why can could would "
    "should will shall may might must have has had there their they them s t please tell know about"
)
_EN_STOPWORDS = frozenset(_EN_STOPWORD_TEXT.split())
_ZH_STOPCHARS = frozenset(
    "的了吗呢吧啊么是我你您们他她它这那有在和与及或就都也还要会能可以请问怎么什多少哪些个"
)


class HashingEmbedder:
    """Hashed word and character n-gram counts: deterministic, instant, no model; a lexical fallback."""

    def __init__(self, dimension: int = 2048) -> None:
        self.dimension = dimension

    def features(self, text: str) -> list[str]:
        lowered = text.lower()
        feats: list[str] = []
        for word in _LATIN_WORD.findall(lowered):
            if word in _EN_STOPWORDS:
                continue
            stem = _stem(word)
            feats.append("w:" + stem)
            padded = f"<{stem}>"
            feats.extend("t:" + padded[i : i + 3] for i in range(max(1, len(padded) - 2)))
        for run in re.findall(r"[\u3400-\u9fff]+", lowered):
            feats.extend("h:" + c for c in run if c not in _ZH_STOPCHARS)
            feats.extend(
                "b:" + a + b
                for a, b in itertools.pairwise(run)
                if not (a in _ZH_STOPCHARS and b in _ZH_STOPCHARS)
            )
        return feats

    def encode_sync(self, texts: Sequence[str]) -> Vectors:
        return normalize_rows(self._counts(texts))

    def _counts(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self.features(text):
                digest = hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest()
                index = int.from_bytes(digest[:4], "little") % self.dimension
                weight = 2.0 if feat[0] in "wb" else 1.0
                out[row, index] += weight
        return out

    async def encode(self, texts: Sequence[str]) -> Vectors:
        return self.encode_sync(texts)


def _stem(word: str) -> str:
    for suffix in ("ing", "ers", "er", "es", "s", "ed", "ly"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def normalize_rows(matrix: Vectors) -> Vectors:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms, dtype=np.float32)


SLICE = 16  # texts per encoder call when a cache is filled


class EmbeddingCache:
    """Encodes a fixed list of texts once, on first use; concurrent first uses share one call."""

    def __init__(self, embedder: Embedder, texts: Sequence[str]) -> None:
        self._embedder = embedder
        self._texts = list(texts)
        self._vectors: Vectors | None = None
        self._lock = asyncio.Lock()

    @property
    def texts(self) -> list[str]:
        return self._texts

    async def vectors(self) -> Vectors:
        if self._vectors is None:
            async with self._lock:
                if self._vectors is None:
                    if self._texts:
                        # In slices, so that a turn's own encoding can go between them.
                        slices = [self._texts[i : i + SLICE] for i in range(0, len(self._texts), SLICE)]
                        parts = [await self._embedder.encode(part) for part in slices]
                        self._vectors = np.concatenate([np.asarray(p, dtype=np.float32) for p in parts])
                    else:
                        self._vectors = np.zeros((0, 1), dtype=np.float32)
        return self._vectors


def softmax(scores: npt.NDArray[np.float64], temperature: float) -> npt.NDArray[np.float64]:
    z = scores / max(temperature, 1e-6)
    z = z - z.max()
    e = np.exp(z)
    return np.asarray(e / e.sum(), dtype=np.float64)

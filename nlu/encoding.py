"""What a sentence encoder is (`SyncEncoder`, `Embeddings`), and the torch one: sentence-transformers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Embeddings = npt.NDArray[np.float32]


class SyncEncoder(Protocol):
    """Anything that turns texts into L2-normalized float32 rows, blocking."""

    @property
    def encoder_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Embeddings: ...


class SentenceTransformerEncoder:
    """A local sentence-transformers model; `encode` blocks (call it from a worker thread)."""

    def __init__(
        self,
        model: Any,
        encoder_id: str,
        *,
        batch_size: int = 64,
        single_thread_below: int = 8,
        threads: int = 0,
    ) -> None:
        self._model = model
        self._single_thread_below = single_thread_below
        self._threads = threads  # 0: torch's setting
        self._encoder_id = encoder_id
        self._batch_size = batch_size
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self._dimension = int(getter() or 0)

    @property
    def encoder_id(self) -> str:
        return self._encoder_id

    @property
    def model(self) -> Any:
        """The underlying SentenceTransformer."""
        return self._model

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        import torch

        # Small batches run faster on one intra-op thread (no fork/join cost, no fight for the cores);
        # the setting is per calling thread (OpenMP), restored afterwards.
        previous = torch.get_num_threads()
        wanted = 1 if len(texts) <= self._single_thread_below else (self._threads or previous)
        if wanted != previous:
            torch.set_num_threads(wanted)
        try:
            with torch.inference_mode():
                vectors = self._model.encode(
                    list(texts),
                    batch_size=self._batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
        finally:
            if wanted != previous:
                torch.set_num_threads(previous)
        return np.ascontiguousarray(vectors, dtype=np.float32)

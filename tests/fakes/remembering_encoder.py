"""The real default encoder for tests, loaded once per test process, remembering what it encoded.

Many tests build the same indexes with the real encoders: the handbook's questions and answers, the
industries' descriptions. The encoders are deterministic, so a text encoded once in a test process is not
encoded again: each later test that builds those indexes pays nothing for them. Every text a test sends
for the first time still goes through the real model.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from nlu.encoding import Embeddings, SyncEncoder
from nlu.multilingual import RoutedEncoder


class RememberingEncoder:
    """A SyncEncoder that encodes each distinct text once and answers repeats from memory."""

    def __init__(self, encoder: SyncEncoder) -> None:
        self.inner = encoder
        self._rows: dict[str, Embeddings] = {}

    @property
    def encoder_id(self) -> str:
        return self.inner.encoder_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode(self, texts: Sequence[str]) -> Embeddings:
        new = list(dict.fromkeys(t for t in texts if t not in self._rows))
        if new:
            for text, row in zip(new, self.inner.encode(new), strict=True):
                self._rows[text] = np.array(row, dtype=np.float32)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._rows[t] for t in texts])


@cache
def real_encoder() -> RoutedEncoder:
    """`nlu.encoder.load_encoder("")` (MiniLM for English, multilingual-e5-small for Chinese and retrieval),
    each half remembering what it encoded; one per test process."""
    from nlu.encoder import load_encoder

    loaded = load_encoder("")
    assert isinstance(loaded, RoutedEncoder)
    return RoutedEncoder(
        RememberingEncoder(loaded.english),
        RememberingEncoder(loaded.multilingual),
        route=loaded.route,
        retrieval=RememberingEncoder(loaded.retrieval),
    )

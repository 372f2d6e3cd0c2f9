"""Fixtures of the dialogue tests: the real encoders (MiniLM, multilingual-e5-small), loaded once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from nlu.encoder import SyncEncoder


class AsyncEncoder:
    """The Embedder protocol over a blocking sentence encoder."""

    def __init__(self, encoder: SyncEncoder) -> None:
        self._encoder = encoder

    async def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encoder.encode(texts)


@pytest.fixture(scope="session")
def minilm() -> AsyncEncoder:
    """The bundled MiniLM alone (the English half of the default encoder)."""
    from nlu.encoder import load_english_encoder

    return AsyncEncoder(load_english_encoder(""))


@pytest.fixture(scope="session")
def multilingual() -> AsyncEncoder:
    """multilingual-e5-small, centered: what FAQ, industries and product similarity use by default."""
    from nlu.encoder import load_encoder
    from nlu.multilingual import retrieval_encoder

    return AsyncEncoder(retrieval_encoder(load_encoder("")))

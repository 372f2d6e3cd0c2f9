"""Fixtures of the dialogue tests: the real encoders (MiniLM, multilingual-e5-small), loaded once per test
process and shared with the other tests that use them (tests.fakes.remembering_encoder)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from nlu.encoder import SyncEncoder
from tests.fakes.remembering_encoder import real_encoder


class AsyncEncoder:
    """The Embedder protocol over a blocking sentence encoder."""

    def __init__(self, encoder: SyncEncoder) -> None:
        self._encoder = encoder

    async def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encoder.encode(texts)


@pytest.fixture(scope="session")
def minilm() -> AsyncEncoder:
    """The bundled MiniLM alone (the English half of the default encoder)."""
    return AsyncEncoder(real_encoder().english)


@pytest.fixture(scope="session")
def multilingual() -> AsyncEncoder:
    """multilingual-e5-small, centered: what FAQ, industries and product similarity use by default."""
    return AsyncEncoder(real_encoder().retrieval)

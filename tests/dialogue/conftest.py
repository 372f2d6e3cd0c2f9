"""Fixtures of the dialogue tests: the real bundled MiniLM encoder, loaded once, for the slow tests."""

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
    from nlu.encoder import load_encoder

    return AsyncEncoder(load_encoder(""))

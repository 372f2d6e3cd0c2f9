"""The ONNX Runtime encoder gives the torch encoder's embeddings, and falls back to torch cleanly."""

from __future__ import annotations

import numpy as np
import pytest

from nlu import encoder as encoder_module
from nlu.encoder import (
    OnnxSentenceEncoder,
    SentenceTransformerEncoder,
    SyncEncoder,
    load_encoder,
    load_english_encoder,
)
from nlu.errors import NluError

TEXTS = [
    "where is PO-1001?",
    "把AB-1020的库存改成450件",
    "hi",
    "Hello team, our warehouse in Ningbo still has not received the payment for invoice INV-2231; "
    "could you check with finance and tell me when the 1,200 pcs of SKU AB-1020 will be collected?",
    "",
    "库存",
]


@pytest.fixture(scope="module")
def torch_encoder() -> SentenceTransformerEncoder:
    encoder = load_english_encoder("", runtime="torch")
    assert isinstance(encoder, SentenceTransformerEncoder)
    return encoder


def test_onnx_is_the_default_and_matches_torch(
    english_encoder: SyncEncoder, torch_encoder: SyncEncoder
) -> None:
    assert isinstance(english_encoder, OnnxSentenceEncoder)
    assert english_encoder.encoder_id == torch_encoder.encoder_id  # a trained head stays valid
    fast, slow = english_encoder.encode(TEXTS), torch_encoder.encode(TEXTS)
    assert fast.shape == slow.shape == (len(TEXTS), english_encoder.dimension)
    assert fast.dtype == np.float32
    assert float(np.abs(fast - slow).max()) < 1e-4
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)


def test_batches_keep_their_order(real_encoder: SyncEncoder) -> None:
    together = real_encoder.encode(TEXTS)
    alone = np.concatenate([real_encoder.encode([t]) for t in TEXTS])
    assert float(np.abs(together - alone).max()) < 1e-4
    assert real_encoder.encode([]).shape == (0, real_encoder.dimension)


def test_export_failure_falls_back_to_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_encoder: SentenceTransformerEncoder, *, threads: int = 0) -> OnnxSentenceEncoder:
        raise NluError("no exporter here")

    monkeypatch.setattr(encoder_module, "onnx_encoder", broken)
    assert isinstance(load_encoder("", multilingual="none", remember=False), SentenceTransformerEncoder)


def test_unknown_runtime_is_a_clear_error() -> None:
    with pytest.raises(NluError, match=r"nlu\.runtime"):
        load_encoder("", runtime="tensorrt")

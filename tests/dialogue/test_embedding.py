"""The model-free fallback embedder."""

from __future__ import annotations

import numpy as np

from dialogue.embedding import HashingEmbedder


async def test_hashing_embedder_is_normalized_and_deterministic() -> None:
    emb = HashingEmbedder()
    a = await emb.encode(["Organic cotton towel", "纯棉毛巾", ""])
    assert a.shape == (3, emb.dimension) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a[:2], axis=1), 1.0)
    assert np.array_equal(a, await emb.encode(["Organic cotton towel", "纯棉毛巾", ""]))

"""Embeddings of a training set kept on disk, keyed by the encoder and the texts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from nlu.encoding import Embeddings, SyncEncoder


def texts_digest(texts: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def cached_encode(
    encoder: SyncEncoder,
    texts: Sequence[str],
    cache_dir: Path | None,
    *,
    chunk_size: int = 512,
    progress: Callable[[int], None] | None = None,
) -> Embeddings:
    """Encode texts, reusing a .npy file keyed by encoder id and texts hash when cache_dir is set."""
    target: Path | None = None
    if cache_dir is not None:
        key = hashlib.sha256(f"{encoder.encoder_id}\n{texts_digest(texts)}".encode()).hexdigest()[:32]
        target = cache_dir / f"{key}.npy"
        if target.exists():
            cached: Embeddings = np.load(target).astype(np.float32, copy=False)
            if cached.shape[0] == len(texts):
                if progress is not None:
                    progress(len(texts))
                return cached
    parts: list[Embeddings] = []
    for start in range(0, len(texts), chunk_size):
        chunk = texts[start : start + chunk_size]
        parts.append(encoder.encode(chunk))
        if progress is not None:
            progress(len(chunk))
    result = np.concatenate(parts) if parts else np.zeros((0, encoder.dimension), dtype=np.float32)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp.npy")
        np.save(tmp, result)
        tmp.replace(target)
    return result

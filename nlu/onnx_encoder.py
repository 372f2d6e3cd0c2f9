"""The sentence encoder exported to ONNX Runtime: the same embeddings as torch, with less overhead."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlu.encoding import Embeddings, SentenceTransformerEncoder
from nlu.errors import NluError


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

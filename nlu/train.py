"""Training of the default-domain intent model; `ensure_trained` retrains when data or encoder changed."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from nlu.bilingual import BilingualClassifier
from nlu.classifier import FORMAT_VERSION, META_FILE, ClassifierArgs, IntentClassifier, TuningReport
from nlu.dataset import counts, data_hash, default_data_dir, load_examples
from nlu.encoder import SyncEncoder, cached_encode, encoder_id_for, load_encoder
from nlu.multilingual import RoutedEncoder
from nlu.settings import NluSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrainResult:
    model_dir: Path
    data_hash: str
    encoder_id: str
    n_examples: int
    seconds: float
    tuning: TuningReport


@dataclass(frozen=True, slots=True)
class ModelStamp:
    """What a trained model was trained from."""

    data_hash: str
    encoder_id: str


def read_stamp(model_dir: Path) -> ModelStamp | None:
    meta_path = Path(model_dir) / META_FILE
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            return None  # an older model layout: retrain
        return ModelStamp(str(meta["data_hash"]), str(meta["encoder_id"]))
    except (ValueError, KeyError):
        return None


def needs_training(
    *,
    data_dir: Path,
    model_dir: Path,
    encoder: str = "",
    encoder_id: str | None = None,
    multilingual: str = "e5",
) -> bool:
    """True when there is no model, or its data hash or encoder id differs from the current ones."""
    stamp = read_stamp(model_dir)
    if stamp is None:
        return True
    expected = encoder_id if encoder_id is not None else encoder_id_for(encoder, multilingual)
    return stamp != ModelStamp(data_hash(Path(data_dir)), expected)


class _Bar(Protocol):
    def update(self, n: int = 1) -> None: ...

    def set_description(self, desc: str | None = None) -> None: ...


class _NullBar:
    def update(self, n: int = 1) -> None:
        return None

    def set_description(self, desc: str | None = None) -> None:
        return None


@contextmanager
def _progress_bar(enabled: bool, total: int, desc: str) -> Iterator[_Bar]:
    if not enabled:
        yield _NullBar()
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="step")
    try:
        yield bar
    finally:
        bar.close()


def default_args() -> ClassifierArgs:
    """Head settings of the default (EN+ZH, small-data) domain."""
    return ClassifierArgs(gloss=True, tfidf_weight=1.0, knn_weight=0.0)


def train_model(
    *,
    data_dir: Path | None = None,
    model_dir: Path,
    encoder: str = "",
    runtime: str = "onnx",
    multilingual: str = "e5",
    sync_encoder: SyncEncoder | None = None,
    args: ClassifierArgs | None = None,
    progress: bool = False,
    cache_dir: Path | None = None,
) -> TrainResult:
    """Train on every example in data_dir and save to model_dir with the data hash and encoder id.

    With a routed encoder (nlu.multilingual) two heads are trained (nlu.bilingual): `args` for the
    English one, the same without glosses for the multilingual one.
    """
    started = time.perf_counter()
    source = Path(data_dir) if data_dir is not None else default_data_dir()
    digest = data_hash(source)
    examples = load_examples(source)
    model = sync_encoder or load_encoder(encoder, runtime=runtime, multilingual=multilingual)
    args = args or default_args()
    texts = [e.text for e in examples]
    labels = [e.intent for e in examples]
    heads = (
        (("en", model.english, args), ("zh", model.multilingual, replace(args, gloss=False)))
        if isinstance(model, RoutedEncoder)
        else (("", model, args),)
    )
    steps = len(heads) * (len(texts) + args.calibration_folds + 2) + 1
    classifiers: dict[str, IntentClassifier] = {}
    reports: dict[str, TuningReport] = {}
    with _progress_bar(progress, steps, "train nlu") as bar:

        def step(message: str) -> None:
            bar.set_description(message)
            bar.update(1)

        for route, head_encoder, head_args in heads:
            bar.set_description(f"encoding {route}".strip())
            classifier = IntentClassifier(args=head_args, encoder=head_encoder)
            inputs = classifier.encoder_inputs(texts)
            embeddings = cached_encode(head_encoder, inputs, cache_dir, chunk_size=64, progress=bar.update)
            reports[route] = classifier.fit(texts, labels, embeddings=embeddings, progress=step)
            classifiers[route] = classifier
        step("saving")
        metadata = {
            "data_hash": digest,
            "encoder_id": model.encoder_id,
            "n_examples": len(texts),
            "counts": {f"{i}/{lang}": n for (i, lang), n in sorted(counts(examples).items())},
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if isinstance(model, RoutedEncoder):
            BilingualClassifier(
                classifiers,
                split=model.english.dimension,
                metadata={**metadata, "tuning": {route: asdict(report) for route, report in reports.items()}},
            ).save_pretrained(model_dir)
        else:
            classifiers[""].metadata.update(metadata)
            classifiers[""].save_pretrained(model_dir)
    seconds = time.perf_counter() - started
    report = reports.get("en") or reports[""]
    logger.info("trained NLU model in %.1fs: %s", seconds, {k: asdict(r) for k, r in reports.items()})
    return TrainResult(Path(model_dir), digest, model.encoder_id, len(texts), seconds, report)


def ensure_trained(
    *,
    data_dir: Path | None = None,
    model_dir: Path,
    encoder: str = "",
    runtime: str = "onnx",
    multilingual: str = "e5",
    progress: bool = True,
    sync_encoder: SyncEncoder | None = None,
    args: ClassifierArgs | None = None,
) -> bool:
    """Train when the model is missing or stale (data hash or encoder id changed); True if it trained."""
    source = Path(data_dir) if data_dir is not None else default_data_dir()
    expected_id = sync_encoder.encoder_id if sync_encoder is not None else None
    if not needs_training(
        data_dir=source,
        model_dir=model_dir,
        encoder=encoder,
        encoder_id=expected_id,
        multilingual=multilingual,
    ):
        logger.info("NLU model in %s is up to date", model_dir)
        return False
    logger.info("NLU model in %s is missing or stale; training", model_dir)
    train_model(
        data_dir=source,
        model_dir=model_dir,
        encoder=encoder,
        runtime=runtime,
        multilingual=multilingual,
        sync_encoder=sync_encoder,
        args=args,
        progress=progress,
    )
    return True


def _paths_of(settings: NluSettings) -> dict[str, Any]:
    return {
        "data_dir": settings.data_dir,
        "model_dir": settings.model_dir,
        "encoder": settings.encoder,
        "multilingual": settings.multilingual,
    }


def ensure_trained_for(settings: NluSettings, *, progress: bool = True) -> bool:
    """`ensure_trained` with the paths and encoders of the `nlu:` settings."""
    return ensure_trained(**_paths_of(settings), runtime=settings.runtime, progress=progress)


def train_model_for(settings: NluSettings, *, progress: bool = True) -> TrainResult:
    """`train_model` with the paths and encoders of the `nlu:` settings (trains even when up to date)."""
    return train_model(**_paths_of(settings), runtime=settings.runtime, progress=progress)


def needs_training_for(settings: NluSettings) -> bool:
    """`needs_training` with the paths and encoders of the `nlu:` settings."""
    return needs_training(**_paths_of(settings))

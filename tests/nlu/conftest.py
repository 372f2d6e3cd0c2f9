"""Fixtures of the NLU tests: a counting fake encoder, and one small real model trained per session."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import yaml

from nlu.classifier import ClassifierArgs
from nlu.dataset import default_data_dir, load_examples
from nlu.encoder import Embeddings, SyncEncoder, load_encoder
from nlu.multilingual import RoutedEncoder
from nlu.train import train_model
from tests.fakes.built_once import built_once

EN_PER_INTENT = 14
ZH_PER_INTENT = 7
OOS_PER_LANGUAGE = 30


class CountingEncoder:
    """Deterministic fake: hashed bag-of-words vectors; counts calls and texts."""

    def __init__(self, dimension: int = 32, encoder_id: str = "fake-encoder") -> None:
        self._dimension = dimension
        self._id = encoder_id
        self.calls: list[int] = []

    @property
    def encoder_id(self) -> str:
        return self._id

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str]) -> Embeddings:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in text.lower().split() or [""]:
                h = int(hashlib.md5(token.encode()).hexdigest(), 16)
                out[row, h % self._dimension] += 1.0
            out[row] /= np.linalg.norm(out[row]) or 1.0
        return out


@pytest.fixture
def counting_encoder() -> CountingEncoder:
    return CountingEncoder()


def write_subset(target: Path) -> Path:
    """A small copy of nlu/data: the first examples of each intent and language."""
    examples = load_examples(default_data_dir())
    intents: dict[str, dict[str, list[str]]] = {}
    oos: dict[str, list[str]] = {"en": [], "zh": []}
    for e in examples:
        if e.intent == "out_of_scope":
            if len(oos[e.language]) < OOS_PER_LANGUAGE:
                oos[e.language].append(e.text)
            continue
        bucket = intents.setdefault(e.intent, {"en": [], "zh": []})[e.language]
        if len(bucket) < (EN_PER_INTENT if e.language == "en" else ZH_PER_INTENT):
            bucket.append(e.text)
    target.mkdir(parents=True, exist_ok=True)
    (target / "subset.yml").write_text(
        yaml.safe_dump({"intents": intents, "out_of_scope": oos}, allow_unicode=True), encoding="utf-8"
    )
    return target


@pytest.fixture(scope="session")
def real_encoder() -> SyncEncoder:
    """The default NLU encoder: MiniLM for English, multilingual-e5-small for Chinese (nlu.multilingual),
    without the memory of recent texts: these tests test the encoders themselves."""
    return load_encoder("", remember=False)


@pytest.fixture(scope="session")
def english_encoder(real_encoder: SyncEncoder) -> SyncEncoder:
    """The bundled MiniLM alone (through ONNX Runtime)."""
    assert isinstance(real_encoder, RoutedEncoder)
    return real_encoder.english


@pytest.fixture(scope="session")
def small_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_once(tmp_path_factory, "nlu-data", write_subset)


@pytest.fixture(scope="session")
def trained_model_dir(
    tmp_path_factory: pytest.TempPathFactory, real_encoder: SyncEncoder, small_data_dir: Path
) -> Path:
    def train(model_dir: Path) -> None:
        train_model(
            data_dir=small_data_dir,
            model_dir=model_dir,
            sync_encoder=real_encoder,
            args=ClassifierArgs(gloss=True, calibration_folds=2, max_iter=500),
        )

    return built_once(tmp_path_factory, "nlu-model", train)

"""Fixtures of the NLG tests: the real corpus, a fake model and a tiny trained model (once per session)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from dialogue.nlg.catalog import Catalog
from dialogue.nlg.corpus import Corpus, load_corpus
from dialogue.nlg.model import ModelShape
from dialogue.nlg.training import TrainingArgs, train_reply_model
from tests.fakes.built_once import built_once

DATA_DIR = Path(__file__).resolve().parents[3] / "dialogue" / "data"


class FakeModel:
    """Returns canned delexicalized replies per input and records every generate() call."""

    def __init__(self, replies: dict[str, str] | None = None, default: str = "Okay.") -> None:
        self.replies = replies or {}
        self.default = default
        self.calls: list[list[str]] = []
        self.gate: threading.Event | None = None

    def generate(self, inputs: Sequence[str]) -> list[str]:
        if self.gate is not None:
            self.gate.wait(5)
        self.calls.append(list(inputs))
        return [self.replies.get(text, self.default) for text in inputs]


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus(DATA_DIR)


@pytest.fixture(scope="session")
def catalog(corpus: Corpus) -> Catalog:
    return corpus.catalog


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (tiny, barely trained) reply model: a few steps on the real corpus."""
    return built_once(tmp_path_factory, "tiny-reply-model", _train_tiny) / "model"


def _train_tiny(folder: Path) -> None:
    model_dir = folder / "model"
    args = TrainingArgs(
        data_dir=DATA_DIR,
        model_dir=model_dir,
        minutes=1.0,
        max_steps=4,
        batch_size=8,
        shape=ModelShape(
            d_model=32, d_ff=64, num_layers=1, num_decoder_layers=1, num_heads=2, d_kv=16, vocab_size=400
        ),
    )
    train_reply_model(args)

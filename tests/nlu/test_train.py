"""Retrain only when the training data or the encoder changed (fast: a fake encoder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.classifier import ClassifierArgs, IntentClassifier
from nlu.dataset import data_hash, load_examples
from nlu.errors import ModelNotTrainedError, TrainingDataError
from nlu.train import ensure_trained, needs_training, read_stamp
from tests.nlu.conftest import CountingEncoder

FAST = ClassifierArgs(calibration_folds=2, max_iter=200, tfidf_weight=0.5)

TINY = """
intents:
  greeting:
    en: [hi, hello, hey there, good morning, hiya, morning all]
    zh: [你好, 您好, 早上好]
  thanks:
    en: [thanks, thank you, cheers, much appreciated, thx a lot, many thanks]
    zh: [谢谢, 多谢, 感谢]
  order_status:
    en: [where is PO 1001, order 2290 status, has my order shipped, tracking for PO-4471, ETA of my PO,
      is it delivered]
    zh: [订单到哪了, 采购单7781发货了吗, 我的货到了吗]
out_of_scope:
  en: [tell me a joke, weather today, who won the game, play music, how tall is everest, cook rice]
  zh: [讲个笑话, 今天天气, 放首歌]
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    (target / "tiny.yml").write_text(TINY, encoding="utf-8")
    return target


def test_ensure_trained_trains_once_then_skips(data_dir: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    encoder = CountingEncoder()
    assert ensure_trained(
        data_dir=data_dir, model_dir=model_dir, sync_encoder=encoder, args=FAST, progress=False
    )
    stamp = read_stamp(model_dir)
    assert stamp is not None and stamp.data_hash == data_hash(data_dir) and stamp.encoder_id == "fake-encoder"
    calls = len(encoder.calls)
    assert not ensure_trained(
        data_dir=data_dir, model_dir=model_dir, sync_encoder=encoder, args=FAST, progress=False
    )
    assert len(encoder.calls) == calls


def test_data_change_triggers_retrain(data_dir: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    encoder = CountingEncoder()
    ensure_trained(data_dir=data_dir, model_dir=model_dir, sync_encoder=encoder, args=FAST, progress=False)
    extra = data_dir / "extra.yml"
    extra.write_text("intents:\n  thanks:\n    en:\n      - cheers mate, legend\n", encoding="utf-8")
    assert needs_training(data_dir=data_dir, model_dir=model_dir, encoder_id="fake-encoder")
    assert ensure_trained(
        data_dir=data_dir, model_dir=model_dir, sync_encoder=encoder, args=FAST, progress=False
    )
    assert not needs_training(data_dir=data_dir, model_dir=model_dir, encoder_id="fake-encoder")


def test_encoder_change_triggers_retrain(data_dir: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    ensure_trained(
        data_dir=data_dir, model_dir=model_dir, sync_encoder=CountingEncoder(), args=FAST, progress=False
    )
    other = CountingEncoder(encoder_id="another-encoder")
    assert needs_training(data_dir=data_dir, model_dir=model_dir, encoder_id="another-encoder")
    assert ensure_trained(
        data_dir=data_dir, model_dir=model_dir, sync_encoder=other, args=FAST, progress=False
    )
    assert read_stamp(model_dir).encoder_id == "another-encoder"  # type: ignore[union-attr]


def test_missing_model(tmp_path: Path, data_dir: Path) -> None:
    assert needs_training(data_dir=data_dir, model_dir=tmp_path / "nothing", encoder_id="x")
    with pytest.raises(ModelNotTrainedError):
        IntentClassifier.from_pretrained(tmp_path / "nothing")


def test_data_hash_is_stable_and_content_based(data_dir: Path) -> None:
    assert data_hash(data_dir) == data_hash(data_dir)
    before = data_hash(data_dir)
    (data_dir / "tiny.yml").write_text((data_dir / "tiny.yml").read_text(encoding="utf-8") + "\n# edit\n")
    assert data_hash(data_dir) != before


def test_bad_data_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("intents:\n  not_an_intent:\n    en: [hello]\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match="not_an_intent"):
        load_examples(tmp_path)


def test_shipped_data_meets_the_minimums() -> None:
    from collections import Counter

    from nlu.dataset import default_data_dir
    from nlu.types import INTENTS

    counts = Counter((e.intent, e.language) for e in load_examples(default_data_dir()))
    for intent in INTENTS:
        assert counts[(intent, "en")] >= 40, intent
        assert counts[(intent, "zh")] >= 20, intent
    assert counts[("out_of_scope", "en")] >= 60 and counts[("out_of_scope", "zh")] >= 40

"""Training data versus vocabulary: only the files directly in nlu/data/ are intent training data."""

from __future__ import annotations

import shutil
from pathlib import Path

from nlu.dataset import data_files, data_hash, default_data_dir, load_examples
from nlu.vocab import VOCAB_DIR


def test_vocabulary_files_are_not_training_data() -> None:
    files = data_files(default_data_dir())
    assert VOCAB_DIR.parent == default_data_dir()
    assert {p.name for p in VOCAB_DIR.glob("*.yml")} >= {"periods.yml", "names.yml", "product_attributes.yml"}
    assert all(p.parent == default_data_dir() for p in files)


def test_editing_the_vocabulary_changes_neither_the_hash_nor_the_examples(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    before = data_hash(data), len(load_examples(data))
    (data / "vocab" / "periods.yml").write_text("default: today\n", encoding="utf-8")
    (data / "vocab" / "extra.yml").write_text("intents: {greeting: {en: [yo]}}\n", encoding="utf-8")
    assert (data_hash(data), len(load_examples(data))) == before
    assert data_hash(data) == data_hash(default_data_dir())

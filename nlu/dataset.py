"""Training data: YAML files in nlu/data/, loaded into labelled examples, and their content hash."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nlu.errors import TrainingDataError
from nlu.types import INTENTS, OUT_OF_SCOPE

LANGUAGES = ("en", "zh")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    language: str


def default_data_dir() -> Path:
    return Path(__file__).resolve().parent / "data"


def data_files(data_dir: Path) -> list[Path]:
    """The training files: the YAML files directly in data_dir (subfolders such as vocab/ are not data)."""
    files = sorted([*data_dir.glob("*.yml"), *data_dir.glob("*.yaml")])
    if not files:
        raise TrainingDataError(f"no training data (*.yml) in {data_dir}")
    return files


def data_hash(data_dir: Path) -> str:
    """sha256 over the names and bytes of every data file, so any edit triggers a retrain."""
    digest = hashlib.sha256()
    for path in data_files(data_dir):
        digest.update(path.name.encode("utf-8"))
        digest.update(b"\x00")
        digest.update(path.read_bytes())
        digest.update(b"\x00")
    return digest.hexdigest()


def _examples_of(node: Any, intent: str, source: Path) -> list[Example]:
    if not isinstance(node, dict):
        raise TrainingDataError(f"{source}: {intent}: expected a mapping of language -> list of examples")
    out: list[Example] = []
    for language, texts in node.items():
        if language not in LANGUAGES:
            raise TrainingDataError(f"{source}: {intent}: unknown language {language!r}")
        if not isinstance(texts, list):
            raise TrainingDataError(f"{source}: {intent}.{language}: expected a list")
        for text in texts:
            value = str(text).strip()
            if value:
                out.append(Example(value, intent, str(language)))
    return out


def load_examples(data_dir: Path) -> list[Example]:
    """Every example of every file; intents must be known names, duplicates are dropped."""
    examples: list[Example] = []
    for path in data_files(data_dir):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise TrainingDataError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(doc, dict):
            raise TrainingDataError(f"{path}: top level must be a mapping")
        for intent, node in (doc.get("intents") or {}).items():
            if intent not in INTENTS:
                raise TrainingDataError(f"{path}: unknown intent {intent!r}")
            examples.extend(_examples_of(node, str(intent), path))
        if OUT_OF_SCOPE in doc:
            examples.extend(_examples_of(doc[OUT_OF_SCOPE], OUT_OF_SCOPE, path))
    seen: set[tuple[str, str]] = set()
    unique: list[Example] = []
    for example in examples:
        key = (example.text.casefold(), example.intent)
        if key not in seen:
            seen.add(key)
            unique.append(example)
    if not unique:
        raise TrainingDataError(f"no examples in {data_dir}")
    return unique


def counts(examples: list[Example]) -> dict[tuple[str, str], int]:
    """(intent, language) -> number of examples."""
    return dict(Counter((e.intent, e.language) for e in examples))

"""Reading the vocabulary files in nlu/data/vocab/ with typed, validated accessors.

These files are not intent training data: nlu.dataset reads only the files directly in nlu/data/.
Each user types its vocabulary into frozen dataclasses once, behind an lru_cache'd loader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nlu.errors import VocabularyError

VOCAB_DIR = Path(__file__).resolve().parent / "data" / "vocab"


@dataclass(frozen=True, slots=True)
class Vocab:
    """One mapping of a vocabulary file; accessors raise VocabularyError naming the file and key."""

    source: str
    data: Mapping[str, Any]

    def _get(self, key: str) -> Any:
        if key not in self.data:
            raise VocabularyError(f"{self.source}: missing {key!r}")
        return self.data[key]

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value.strip():
            raise VocabularyError(f"{self.source}: {key!r} must be a non-empty string")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise VocabularyError(f"{self.source}: {key!r} must be a non-empty list of strings")
        return tuple(value)

    def pairs(self, key: str) -> tuple[tuple[str, str], ...]:
        """A mapping of strings, in file order."""
        value = self._get(key)
        if not isinstance(value, dict) or not value:
            raise VocabularyError(f"{self.source}: {key!r} must be a non-empty mapping")
        if not all(isinstance(k, str) and isinstance(v, str) and k and v for k, v in value.items()):
            raise VocabularyError(f"{self.source}: {key!r} must map strings to strings")
        return tuple(value.items())

    def section(self, key: str) -> Vocab:
        value = self._get(key)
        if not isinstance(value, dict):
            raise VocabularyError(f"{self.source}: {key!r} must be a mapping")
        return Vocab(f"{self.source}: {key}", value)

    def sections(self, key: str) -> tuple[Vocab, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise VocabularyError(f"{self.source}: {key!r} must be a non-empty list of mappings")
        return tuple(Vocab(f"{self.source}: {key}[{i}]", v) for i, v in enumerate(value))


def read_vocab(name: str, vocab_dir: Path = VOCAB_DIR) -> Vocab:
    """The top-level mapping of `<vocab_dir>/<name>.yml` (read on every call: cache the typed result)."""
    path = vocab_dir / f"{name}.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise VocabularyError(f"{path}: the top level must be a mapping")
    return Vocab(str(path), raw)

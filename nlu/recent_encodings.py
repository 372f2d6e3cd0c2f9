"""An encoder that answers a text it encoded recently from memory, instead of encoding it again.

A message is encoded twice on its way through the bot: once by the parse (the intent heads read
MiniLM for English, multilingual-e5-small for Chinese) and once more by the knowledge retrieval, which
asks for the same text's vector through another door (the async retrieval view, on a thread of its
own). Without a shared memory each of those is a full encoder pass; with one, the second is a lookup.
The memory is bounded (least recently used first out) and keyed by the text, so it never answers for a
text it did not see, and it is not a cache of answers: every new message still goes through the model.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from nlu.encoding import Embeddings, SyncEncoder

RECENT_TEXTS = 2048  # 2,048 x 384 float32: 3 MB per memory


def same_text(text: str) -> str:
    return text


def nfkc(text: str) -> str:
    """The key of a text for an encoder whose tokenizer normalizes NFKC itself (multilingual-e5's
    SentencePiece does: "？" and "?" give the same vector), so the parse's folded text and the raw text
    that the retrieval asks for are one entry."""
    return unicodedata.normalize("NFKC", text)


class RecentEncodings:
    """The vectors of the last `size` distinct texts (None: no bound), shared by threads."""

    def __init__(self, size: int | None = RECENT_TEXTS, *, key: Callable[[str], str] = same_text) -> None:
        if size is not None and size < 1:
            raise ValueError("size must be at least 1, or None")
        self.size = size
        self.key = key
        self.hits = 0
        self.misses = 0
        self._rows: OrderedDict[str, Embeddings] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    def recall(self, texts: Sequence[str]) -> list[Embeddings | None]:
        """The remembered vector of each text, or None."""
        with self._lock:
            found: list[Embeddings | None] = []
            for text in texts:
                key = self.key(text)
                row = self._rows.get(key)
                if row is not None:
                    self._rows.move_to_end(key)
                    self.hits += 1
                else:
                    self.misses += 1
                found.append(row)
            return found

    def remember(self, texts: Sequence[str], rows: Embeddings) -> None:
        with self._lock:
            for text, row in zip(texts, rows, strict=True):
                key = self.key(text)
                self._rows[key] = np.array(row, dtype=np.float32)
                self._rows.move_to_end(key)
            while self.size is not None and len(self._rows) > self.size:
                self._rows.popitem(last=False)


class RememberingEncoder:
    """A SyncEncoder that encodes only the texts its memory does not hold. Two encoders of the same model
    (two engines, so that two threads can encode at once) may share one memory."""

    def __init__(self, encoder: SyncEncoder, memory: RecentEncodings | None = None) -> None:
        self.inner = encoder
        self.memory = memory if memory is not None else RecentEncodings()

    @property
    def encoder_id(self) -> str:
        return self.inner.encoder_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        found = self.memory.recall(texts)
        missing = [i for i, row in enumerate(found) if row is None]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if missing:
            # each distinct missing text once (by the memory's key), in the order first seen
            first: dict[str, int] = {}
            for i in missing:
                first.setdefault(self.memory.key(texts[i]), i)
            order = list(first.values())
            new = self.inner.encode([texts[i] for i in order])
            self.memory.remember([texts[i] for i in order], new)
            by_key = {key: new[n] for n, key in enumerate(first)}
            for i in missing:
                out[i] = by_key[self.memory.key(texts[i])]
        for i, row in enumerate(found):
            if row is not None:
                out[i] = row
        return out

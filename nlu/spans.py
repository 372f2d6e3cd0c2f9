"""A set of disjoint text spans kept sorted: overlap test and insertion by bisection."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator


class SpanSet:
    """Disjoint half-open spans [start, end); `overlaps` is O(log n)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def __len__(self) -> int:
        return len(self._starts)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self._starts, self._ends, strict=True)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start)
        if i > 0 and start < self._ends[i - 1] and self._starts[i - 1] < end:
            return True
        return i < len(self._starts) and self._starts[i] < end

    def add(self, start: int, end: int) -> None:
        """Add a span that overlaps none of the set (the caller checks with `overlaps`)."""
        i = bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)

    def blank(self, text: str) -> str:
        """`text` with every span of the set replaced by spaces (one pass)."""
        pieces: list[str] = []
        position = 0
        for start, end in self:
            start, end = max(start, position), min(end, len(text))
            if start >= end:
                continue
            pieces.append(text[position:start])
            pieces.append(" " * (end - start))
            position = end
        pieces.append(text[position:])
        return "".join(pieces)

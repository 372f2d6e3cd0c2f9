"""The sorted span set behind the overlap checks of entity and date extraction."""

from __future__ import annotations

from nlu.spans import SpanSet


def test_overlaps() -> None:
    spans = SpanSet()
    for start, end in [(10, 20), (0, 5), (30, 31)]:
        assert not spans.overlaps(start, end)
        spans.add(start, end)
    assert list(spans) == [(0, 5), (10, 20), (30, 31)]
    assert (
        spans.overlaps(4, 6) and spans.overlaps(19, 40) and spans.overlaps(12, 13) and spans.overlaps(0, 100)
    )
    assert not spans.overlaps(5, 10) and not spans.overlaps(20, 30) and not spans.overlaps(31, 99)


def test_blank() -> None:
    spans = SpanSet()
    spans.add(0, 2)
    spans.add(5, 7)
    spans.add(9, 50)  # past the end of the text
    assert spans.blank("abcdefghij") == "  cde  hi "
    assert SpanSet().blank("abc") == "abc"

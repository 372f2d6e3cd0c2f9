"""Text normalization: NFKC, dashes, controls, and the map back to the text as written."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.normalize import _TABLE, DASHES, clean, cut, cut_width, fold, normalize

# Any code point a JSON-decoded payload can hold, lone surrogates included ("\ud800" is valid JSON).
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
QUICK = settings(derandomize=True, database=None, deadline=None, max_examples=300)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PO\u20111001", "PO-1001"),  # non-breaking hyphen, as pasted from spreadsheets
        ("PO\u20131001", "PO-1001"),  # en dash
        ("PO\u20141001", "PO-1001"),  # em dash
        ("PO\u22121001", "PO-1001"),  # minus sign
        ("ＰＯ－１００１", "PO-1001"),
        ("ＩＮＶ－２００２", "INV-2002"),
        ("ＡＢ－１０２０库存", "AB-1020库存"),
        ("４５０件", "450件"),
        ("订单\u30001188", "订单 1188"),  # ideographic space
        ("a\u00a0b", "a b"),
        ("ﬁle", "file"),
        ("e\u0301", "\u00e9"),
        ("PO-\u200b1001", "PO-1001"),  # zero-width space
        ("x\x00y\x07z\x7f", "x y z "),
        ("tab\tand\r\nnewlines", "tab\tand\r\nnewlines"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("😀 ok 👍🏽", "😀 ok 👍🏽"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text).text == expected
    assert fold(text) == expected


def test_every_dash_is_a_hyphen() -> None:
    assert {fold(d) for d in DASHES} == {"-"}


def test_spans_point_into_the_original() -> None:
    original = "ﬁle ＰＯ－１００１ e\u0301 PO-\u200b2002!"
    normalized = normalize(original)
    assert normalized.text == "file PO-1001 é PO-2002!"
    for needle, expected in [("PO-1001", "ＰＯ－１００１"), ("é", "e\u0301"), ("PO-2002", "PO-\u200b2002")]:
        start = normalized.text.index(needle)
        begin, end = normalized.span(start, start + len(needle))
        assert original[begin:end] == expected
    assert normalized.span(0, 2) == (0, 1)  # "fi" came from one character
    assert normalized.span(0, 1) == (0, 1)


def test_clean_keeps_the_length() -> None:
    assert clean("a\x00b\ud800c\x85") == "a b\ufffdc "


def test_cut_ends_at_a_boundary() -> None:
    assert cut("short", 10) == "short"
    assert cut("PO-1001 PO-1002 PO-1003", 19) == "PO-1001 PO-1002"
    assert cut("订单号1234，5678到了吗", 10) == "订单号1234"
    assert cut("x" * 200, 100) == "x" * 100


def test_cut_width_counts_wide_characters_twice() -> None:
    assert cut_width("中" * 100, 128) == "中" * 64
    assert cut_width("a" * 200, 128) == "a" * 128
    assert cut_width("ok", 128) == "ok"


def test_one_to_one_translations_join_with_no_neighbour() -> None:
    """What is translated in bulk is never the second half of a canonical composition."""
    seconds = set()
    for code in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    seconds.update(range(0x1161, 0x11C3))  # Hangul vowels and trailing consonants
    for code, out in _TABLE.items():
        assert len(out) == 1 and code not in seconds and ord(out) not in seconds, hex(code)


@QUICK
@given(ANY_TEXT)
def test_normalize_maps_every_span_back(text: str) -> None:
    normalized = normalize(text)
    assert "\x00" not in normalized.text
    previous = 0
    for i in range(len(normalized.text) + 1):
        begin, end = normalized.span(i, min(i + 1, len(normalized.text)))
        assert previous <= begin <= end <= len(text)
        previous = begin


@QUICK
@given(st.text(st.characters(codec="utf-8"), max_size=60))
def test_normalize_is_nfkc_of_the_whole_text(text: str) -> None:
    assert normalize(text).text == fold(text)

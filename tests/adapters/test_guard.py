"""Decoding bodies from the internet, and warnings that garbage cannot flood."""

from __future__ import annotations

import logging

import pytest

from adapters.guard import BadBody, decode_json, json_depth, kept_body
from adapters.throttled_log import ThrottledLog


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"1", 0),
        (b"[]", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'["[[[[", "]\\"[["]', 1),
        (b"[" * 10_000, 10_000),
    ],
)
def test_depth_is_counted_without_recursion_and_ignores_strings(body: bytes, depth: int) -> None:
    assert json_depth(body) == depth


def test_deep_json_is_refused_before_it_is_decoded() -> None:
    assert decode_json(b"[" * 64 + b"]" * 64) == _nested(64)
    with pytest.raises(BadBody, match="nested deeper than 64 levels"):
        decode_json(b"[" * 65 + b"]" * 65)
    with pytest.raises(BadBody, match="nested deeper"):
        decode_json(b"[" * 100_000)


def _nested(levels: int) -> object:
    value: list[object] = []
    for _ in range(levels - 1):
        value = [value]
    return value


def test_strings_lose_nul_characters_and_lone_surrogates() -> None:
    data = decode_json(b'{"t\\u0000ext": ["a\\u0000b", "\\ud83d\\ude00 ok", "lone \\udc00"]}')
    assert data == {"text": ["ab", "😀 ok", "lone \ufffd"]}


@pytest.mark.parametrize("body", [b"", b"{", b"\xff", b"NaN-ish", b'{"a": 1} trailing'])
def test_anything_else_is_a_bad_body(body: bytes) -> None:
    with pytest.raises(BadBody, match="not JSON"):
        decode_json(body)


def test_kept_bodies_are_capped_text() -> None:
    assert kept_body(b"\xffabc\x00") == "\ufffdabc"
    kept = kept_body("x" * 5000, limit=100)
    assert kept.startswith("x" * 100) and kept.endswith("(4900 more characters)")


def test_warnings_are_logged_once_per_reason_per_minute(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    log = ThrottledLog(logging.getLogger("tests.guard"), interval_seconds=60, clock=lambda: now[0])
    assert log.warning("bad", "bad request from %s", "a")
    for _ in range(5):
        assert not log.warning("bad", "bad request from %s", "b")
    assert log.warning("other", "another reason")
    now[0] = 61.0
    assert log.warning("bad", "bad request from %s", "c")
    assert [r.getMessage() for r in caplog.records] == [
        "bad request from a",
        "another reason",
        "bad request from c (5 similar suppressed in the last 60 s)",
    ]

"""The language of a text, and the character tests behind the conversation's reply language."""

from __future__ import annotations

import pytest

from nlu.language import detect_language, has_han, has_letters, is_language_neutral


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("where is my PO 4471", "en"),
        ("采购单7781到哪了", "zh"),
        ("AB-1020库存更新为450", "zh"),
        ("delivery date for 采购单 7781?", "en"),
        ("hello，你好", "zh"),
        ("1234", "en"),
        ("", "en"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_nothing_to_go_on_gives_the_default() -> None:
    assert detect_language("1001", default="zh") == "zh"
    assert detect_language("👍", default="zh") == "zh"
    assert detect_language("ok", default="zh") == "en"


@pytest.mark.parametrize(
    ("text", "neutral"),
    [
        ("1001", True),
        ("AB-1020 450", True),
        ("PO-1001, INV2002", True),
        ("ok 12", True),  # two letters tell no language
        ("yes", False),
        ("AB-1020 450 units", False),
        ("是", False),
    ],
)
def test_language_neutral_answers(text: str, neutral: bool) -> None:
    assert is_language_neutral(text) is neutral


def test_character_tests() -> None:
    assert has_han("PO-1001 到哪了") and not has_han("where is PO-1001")
    assert has_letters("ok") and has_letters("好") and not has_letters("1001 !") and not has_letters("")


def test_only_the_head_is_counted() -> None:
    assert detect_language("采购单到哪了" * 400 + " where is it" * 10_000) == "zh"
    assert detect_language("采购单到哪了" + " where is it" * 10, max_chars=6) == "zh"


def test_full_width_letters_are_latin() -> None:
    assert detect_language("ｗｈｅｒｅ ｉｓ ｍｙ ｏｒｄｅｒ", default="zh") == "en"
    assert detect_language("\x00\ud800", default="zh") == "zh"

"""The rating a supplier gives: a tap on the keyboard, or the number typed instead."""

from __future__ import annotations

import pytest

from dialogue.handoff.survey import parse_rating, typed_rating

TYPED = [("4", 4), (" 5 ", 5), ("4/5", 4), ("3 / 5", 3), ("5 stars", 5), ("1 star", 1), ("4分", 4)]
TYPED_IN_CHINESE_INPUT = [("５", 5), ("四分", 4), ("5!", 5), ("2。", 2)]


@pytest.mark.parametrize(("text", "rating"), [*TYPED, *TYPED_IN_CHINESE_INPUT])
def test_a_message_that_is_only_a_rating(text: str, rating: int) -> None:
    assert typed_rating(text) == rating


@pytest.mark.parametrize("text", ["0", "6", "45", "4 boxes", "PO-1001", "I give 4", "", "5/10", "十"])
def test_anything_else_is_not_a_rating(text: str) -> None:
    assert typed_rating(text) is None


def test_a_tap_names_the_escalation_and_the_rating() -> None:
    assert parse_rating("csat:42:5") == (42, 5)
    assert parse_rating("csat:42:6") is None and parse_rating("handoff:claim:1") is None

"""JSON from a model's text: bare, fenced or embedded; checked against the schema."""

from __future__ import annotations

import pytest

from dialogue.llm.jsonout import checked_json, parse_json_object
from dialogue.llm.model import LlmBadOutput
from dialogue.nlg.listing_llm import LISTING_V1_SCHEMA

GOOD = '{"title": "Towel", "bullets": ["Organic cotton"], "description": "A towel."}'


@pytest.mark.parametrize(
    "text",
    [GOOD, f"```json\n{GOOD}\n```", f"Here is the listing:\n```\n{GOOD}\n```\nEnjoy!", f"Sure! {GOOD}"],
)
def test_json_is_found_bare_fenced_or_embedded(text: str) -> None:
    assert checked_json(text, LISTING_V1_SCHEMA)["title"] == "Towel"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("I cannot do that.", "invalid_json"),
        ('{"title": "Towel"', "invalid_json"),
        ('{"title": "Towel", "bullets": "one", "description": "x"}', "schema"),
        ('{"title": "Towel", "bullets": ["a"], "description": "x", "price": 3}', "schema"),
        ('{"title": "Towel", "bullets": ["a", "b", "c", "d", "e", "f"], "description": "x"}', "schema"),
    ],
)
def test_what_is_not_listing_json_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(LlmBadOutput) as caught:
        checked_json(text, LISTING_V1_SCHEMA)
    assert caught.value.reason == reason


def test_an_array_is_not_an_object() -> None:
    with pytest.raises(LlmBadOutput):
        parse_json_object("[1, 2]")

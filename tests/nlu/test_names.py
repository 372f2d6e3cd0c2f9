"""Spotting a customer's name among the words of a request."""

from __future__ import annotations

import pytest

from nlu.names import is_name_of, looks_like_name, name_candidates, without_legal_suffix, word_count


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("tell me about ACME Corp", "ACME Corp"),
        ("what should we pitch to ACME?", "ACME"),
        ("查一下 Globex 客户", "Globex"),
        ("给 ACME 推荐什么产品？", "ACME"),
        ("which industry is Wonka Chocolate in?", "Wonka Chocolate"),
        ("介绍一下华强电子的情况", "华强电子"),
    ],
)
def test_the_longest_candidate_comes_first(text: str, first: str) -> None:
    assert name_candidates(text)[0] == first


def test_request_words_and_ids_are_never_candidates() -> None:
    candidates = name_candidates("look up the customer for PO-1001 and AB-1020 please")
    assert candidates == []
    assert name_candidates("tell me about Initech Software Ltd") == [
        "Initech Software Ltd",
        "Initech Software",
        "Software Ltd",
        "Software",
        "Initech",
        "Ltd",
    ]


def test_at_most_twelve_candidates_of_up_to_four_words() -> None:
    candidates = name_candidates("Alpha Beta Gamma Delta Epsilon Zeta")
    assert len(candidates) == 12
    assert max(len(c.split()) for c in candidates) == 4


def test_a_candidate_must_look_like_the_name_not_a_substring() -> None:
    assert is_name_of("ACME", "ACME Corp", id_="CUS-001")
    assert is_name_of("acme corp.", "ACME Corp")
    assert is_name_of("CUS-001", "ACME Corp", id_="CUS-001")
    assert is_name_of("Initec", "Initech Software")  # a typo is close enough
    assert not is_name_of("IT", "Initech Software")
    assert not is_name_of("Software", "Initech Software")


def test_small_helpers() -> None:
    assert without_legal_suffix("ACME Corp.") == "ACME"
    assert without_legal_suffix("Pacific Packaging Co") == "Pacific Packaging"
    assert without_legal_suffix("Corporation Street Bakery") == "Corporation Street Bakery"
    assert looks_like_name("Wonka") and looks_like_name("华强") and not looks_like_name("wonka")
    assert word_count("tell me about ACME Corp") == 5
    assert word_count("查一下 Globex 客户") == 3

"""A company's own ids are found in a message whatever their shape, as whole tokens, and typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from pydantic import ValidationError

from nlu.entities import EntityExtractor
from nlu.gazetteer import IdGazetteer, KnownId
from nlu.ids import IdPattern
from nlu.settings import NluSettings

COMPANY = [
    KnownId("order_id", "4500987654", "4500987654"),
    KnownId("order_id", "SO/2026/00042", "SO/2026/00042"),
    KnownId("invoice_id", "RE-2026-0099", "RE-2026-0099"),
    KnownId("sku", "TX-77-0345", "TX-77-0345"),
    KnownId("sku", "LED/9W/E27", "LED/9W/E27"),
    KnownId("customer", "C-0042", "C-0042"),
    KnownId("customer", "Globex", "C-0043"),
    KnownId("supplier", "旭日纺织", "4711"),
    KnownId("supplier", "4711", "4711"),  # a short number: too common to be an id by itself
]

DATA_IDS = {known.value for known in COMPANY}


class Store:
    def __init__(self, ids: list[KnownId]) -> None:
        self.gazetteer = IdGazetteer(ids)

    def id_gazetteer(self) -> IdGazetteer:
        return self.gazetteer


def extractor(ids: list[KnownId] = COMPANY, id_patterns: Sequence[IdPattern] = ()) -> EntityExtractor:
    return EntityExtractor(clock=lambda: dt.date(2026, 3, 10), id_lookup=Store(ids), id_patterns=id_patterns)


Found = tuple[str, object, str]


def found(text: str, ids: list[KnownId] = COMPANY, id_patterns: Sequence[IdPattern] = ()) -> list[Found]:
    return [(e.type, e.value, e.text) for e in extractor(ids, id_patterns).extract(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is 4500987654?", [("order_id", "4500987654", "4500987654")]),
        ("4500987654到哪了", [("order_id", "4500987654", "4500987654")]),
        ("订单4500987654发货了吗", [("order_id", "4500987654", "4500987654")]),
        ("(4500987654).", [("order_id", "4500987654", "4500987654")]),
        ("#4500987654, thanks", [("order_id", "4500987654", "4500987654")]),
        ("so/2026/00042 status", [("order_id", "SO/2026/00042", "so/2026/00042")]),
        ("has RE-2026-0099 been paid", [("invoice_id", "RE-2026-0099", "RE-2026-0099")]),
        ("stock of led/9w/e27?", [("sku", "LED/9W/E27", "led/9w/e27")]),
        ("TX-77-0345：还有多少", [("sku", "TX-77-0345", "TX-77-0345")]),
        ("４５００９８７６５４到哪了", [("order_id", "4500987654", "４５００９８７６５４")]),
        ("about C-0042", [("customer", "C-0042", "C-0042")]),
        ("旭日纺织的订单", [("supplier", "4711", "旭日纺织")]),
    ],
)
def test_an_id_of_the_data_is_found_whatever_its_shape(
    text: str, expected: list[tuple[str, object, str]]
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "45009876541 is a phone number",  # inside a longer number
        "call 14500987654",
        "4500987654-2 is a line of it",  # a longer id with a joiner
        "xSO/2026/00042",
        "SO/2026/000421",
        "TX-77-03456",
    ],
)
def test_an_id_inside_a_longer_token_is_not_that_id(text: str) -> None:
    assert not any(value in DATA_IDS for _, value, _ in found(text))
    assert Store(COMPANY).gazetteer.find(text) == []


def test_an_unknown_id_of_a_known_shape_is_an_id_of_that_type() -> None:
    assert found("where is 4500987699") == [("order_id", "4500987699", "4500987699")]
    assert found("and SO/2025/00001?") == [("order_id", "SO/2025/00001", "SO/2025/00001")]


def test_a_shape_that_two_types_share_says_nothing() -> None:
    ids = [KnownId("order_id", "AB-123456", "AB-123456"), KnownId("sku", "CD-654321", "CD-654321")]

    assert IdGazetteer(ids).shapes == {}
    assert IdGazetteer(ids).find("EF-111111 please") == []


def test_short_numbers_and_words_are_not_ids() -> None:
    ids = [KnownId("order_id", "12", "12"), KnownId("order_id", "2026", "2026"), KnownId("sku", "IT", "IT")]

    assert len(IdGazetteer(ids)) == 0
    assert found("12 units in 2026 for IT", ids=ids) == [("quantity", 12, "12 units")]


def test_the_datas_typed_id_wins_over_a_pattern() -> None:
    # "order 4500987654" reads as PO-4500987654 by the built-in pattern; the data says what it is
    assert found("order 4500987654 status") == [("order_id", "4500987654", "4500987654")]
    ids = [*COMPANY, KnownId("sku", "AB-1020", "AB-1020"), KnownId("invoice_id", "INV-2002", "INV-2002")]
    assert found("INV-2002 and AB-1020", ids=ids) == [
        ("invoice_id", "INV-2002", "INV-2002"),
        ("sku", "AB-1020", "AB-1020"),
    ]


def test_the_built_in_patterns_still_work_next_to_the_gazetteer() -> None:
    assert found("PO-1001 and invoice 2002, stock of AB-1020") == [
        ("order_id", "PO-1001", "PO-1001"),
        ("invoice_id", "INV-2002", "invoice 2002"),
        ("sku", "AB-1020", "AB-1020"),
    ]


def test_one_id_of_several_types_is_the_first_of_order_invoice_sku() -> None:
    ids = [KnownId("invoice_id", "77-0001", "77-0001"), KnownId("order_id", "77-0001", "77-0001")]

    assert found("77-0001?", ids=ids) == [("order_id", "77-0001", "77-0001")]


def test_configured_patterns_find_ids_not_imported_yet() -> None:
    settings = NluSettings.model_validate(
        {
            "id_patterns": [
                {"type": "order_id", "pattern": r"\b45\d{8}\b"},
                {"type": "invoice_id", "pattern": r"(?i)\brechnung\s+(?P<id>R\d{5})\b"},
            ]
        }
    )
    patterns = settings.compiled_id_patterns()

    assert found("where is 4511112222?", ids=[], id_patterns=patterns) == [
        ("order_id", "4511112222", "4511112222")
    ]
    assert found("Rechnung R12345 bezahlt?", ids=[], id_patterns=patterns) == [
        ("invoice_id", "R12345", "Rechnung R12345")
    ]
    # the data's id wins over a configured pattern reading the same characters
    assert found("4500987654", id_patterns=patterns) == [("order_id", "4500987654", "4500987654")]


@pytest.mark.parametrize("pattern", [r"\b45(\d{8}\b", r"x*"])
def test_a_bad_pattern_fails_at_start_naming_the_key(pattern: str) -> None:
    with pytest.raises(ValidationError) as error:
        NluSettings.model_validate({"id_patterns": [{"type": "order_id", "pattern": pattern}]})

    assert "id_patterns" in str(error.value) and "pattern" in str(error.value)


def test_an_unknown_id_type_fails_at_start() -> None:
    with pytest.raises(ValidationError, match="id_patterns"):
        NluSettings.model_validate({"id_patterns": [{"type": "parcel", "pattern": r"\d+"}]})


def test_the_spans_point_into_the_text_as_written() -> None:
    text = "Hi!  where’s  so/2026/00042 —  and ４５００９８７６５４?"
    for entity in extractor().extract(text):
        assert text[entity.start : entity.end] == entity.text


def test_the_classifier_reads_the_stores_ids_as_the_training_data_writes_them() -> None:
    masked = extractor().as_trained_ids("where is so/2026/00042? and RE-2026-0099, TX-77-0345 到哪了")

    assert masked == "where is PO-1001? and INV-2001, AB-1020 到哪了"
    assert extractor().as_trained_ids("4500987654-2 and C-0042") == "4500987654-2 and C-0042"

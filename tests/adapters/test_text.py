"""Text splitting and monospace tables shared by the Telegram and Slack adapters."""

from __future__ import annotations

import pytest

from adapters.text import display_width, render_table, split_lines, split_text, utf16_len


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    assert split_text("short") == ["short"]
    assert split_text("aaaa\n\nbbbb\ncccc", limit=10) == ["aaaa", "bbbb\ncccc"]
    assert split_text("aaaa bbbb\ncccc dddd", limit=10) == ["aaaa bbbb", "cccc dddd"]
    assert split_text("aaaa bbbb cccc", limit=10) == ["aaaa bbbb", "cccc"]
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_split_counts_utf16_units() -> None:
    parts = split_text("😀" * 10, limit=10)
    assert parts == ["😀" * 5, "😀" * 5]
    assert all(utf16_len(p) <= 10 for p in parts)


def test_a_lone_surrogate_counts_as_one_unit_instead_of_crashing() -> None:
    # json.loads accepts "\\ud800"; a relayed or generated text could carry one (found by test_fuzz)
    assert utf16_len("\ud800") == 1
    assert utf16_len("a\udfff😀") == 4
    assert split_text("\ud800" * 5, 2) == ["\ud800\ud800", "\ud800\ud800", "\ud800"]


def test_split_refuses_a_useless_limit() -> None:
    with pytest.raises(ValueError):
        split_text("x", limit=0)
    with pytest.raises(ValueError):
        split_lines("x", limit=0)


def test_split_lines_keeps_indentation_and_cuts_overlong_lines() -> None:
    table = "a   b\n    c\n    d"
    assert split_lines(table, limit=11) == ["a   b\n    c", "    d"]
    assert split_lines("x" * 12 + "\ny", limit=5) == ["xxxxx", "xxxxx", "xx\ny"]


def test_chinese_characters_take_two_columns() -> None:
    assert display_width("PO-1") == 4
    assert display_width("待发货") == 6
    assert display_width("ｆｕｌｌ") == 8  # full-width latin


def test_table_columns_line_up_with_wide_characters() -> None:
    table = (("Order", "Status"), ("PO-1001", "shipped"), ("PO-1002", "待发货"), ("订单-3", "ok"))
    lines = render_table(table).splitlines()
    assert lines == [
        "Order    Status",
        "-------  -------",
        "PO-1001  shipped",
        "PO-1002  待发货",
        "订单-3   ok",
    ]
    second_column = [
        display_width(line[: line.index(cell)])
        for line, cell in zip(lines[2:], ("shipped", "待发货", "ok"), strict=True)
    ]
    assert second_column == [9, 9, 9]


def test_table_edge_cases() -> None:
    assert render_table(()) == ""
    assert render_table((("only", "header"),)) == "only  header"
    assert render_table((("a", "b"), ("1",))) == "a  b\n-  -\n1"  # short rows are padded

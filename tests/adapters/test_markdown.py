"""Light Markdown rendered for each platform, and split so that no part breaks its markup."""

from __future__ import annotations

import pytest

from adapters.markdown import split_markdown, to_plain
from adapters.slack.mrkdwn import from_markdown
from adapters.telegram.html import markdown_to_html
from adapters.text import utf16_len
from tests.fakes.telegram_html import visible_text

SAMPLE = (
    "**Order PO-1001** is _late_ ~~on time~~ — see `SKU <7>` & [the tracker](https://t.example/?a=1&b=2)\n"
    "second line\n\n"
    "```\nqty < 5 && **not bold**\n```"
)


def test_telegram_html_escapes_everything_then_formats() -> None:
    assert markdown_to_html(SAMPLE) == (
        "<b>Order PO-1001</b> is <i>late</i> <s>on time</s> — see <code>SKU &lt;7&gt;</code> &amp; "
        '<a href="https://t.example/?a=1&amp;b=2">the tracker</a>\nsecond line\n\n'
        "<pre>qty &lt; 5 &amp;&amp; **not bold**</pre>"
    )
    shown, error = visible_text(markdown_to_html(SAMPLE), "HTML")
    assert error == "" and "qty < 5 && **not bold**" in shown


def test_plain_text_drops_the_marks_and_keeps_link_targets() -> None:
    assert to_plain(SAMPLE) == (
        "Order PO-1001 is late on time — see SKU <7> & the tracker (https://t.example/?a=1&b=2)\n"
        "second line\n\nqty < 5 && **not bold**"
    )


def test_slack_mrkdwn_uses_slacks_marks_and_escapes() -> None:
    assert from_markdown(SAMPLE) == (
        "*Order PO-1001* is _late_ ~on time~ — see `SKU &lt;7&gt;` &amp; "
        "<https://t.example/?a=1&amp;b=2|the tracker>\nsecond line\n\n"
        "```\nqty &lt; 5 &amp;&amp; **not bold**\n```"
    )


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("snake_case_name stays", "snake_case_name stays"),
        ("<b>not a tag</b>", "&lt;b&gt;not a tag&lt;/b&gt;"),
        ("# not a heading\n1. not a list", "# not a heading\n1. not a list"),
        ("[run](javascript:alert(1))", "[run](javascript:alert(1))"),
        ("[mail](mailto:ops@x.example)", '<a href="mailto:ops@x.example">mail</a>'),
        (r"\*literal\*", "*literal*"),
    ],
)
def test_only_the_light_subset_is_markup(source: str, html: str) -> None:
    assert markdown_to_html(source) == html


def test_long_markdown_splits_between_blocks_and_every_part_parses() -> None:
    paragraph = "**Order** " + "shipped _on time_ and [tracked](https://t.example). " * 30
    fence = "```\n" + "\n".join(f"row {i} <{i}>" for i in range(400)) + "\n```"
    source = "\n\n".join([paragraph] * 6 + [fence])
    parts = split_markdown(source, 4096)
    assert len(parts) >= 3
    for part in parts:
        shown, error = visible_text(markdown_to_html(part), "HTML")
        assert error == ""
        assert utf16_len(shown) <= 4096
    assert "".join(to_plain(p) for p in parts).count("row ") == 400


def test_a_single_overlong_line_is_cut_at_words() -> None:
    parts = split_markdown("word " * 2000, 4096)
    assert len(parts) == 3 and all(utf16_len(to_plain(p)) <= 4096 for p in parts)

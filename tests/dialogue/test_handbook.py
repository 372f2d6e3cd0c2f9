"""A handbook folder read into entries: headings, ids, languages, and what is skipped or refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.handbook import HandbookError, load_faq, parse_markdown, read_handbook, slug

RETURNS = """---
topic: policy
---
# Returns

## Return window {#return_window}

offer: how long you have to return goods

Goods may be returned within 14 days of delivery.

Questions:
- How long do I have to return goods?
- What is the return window?

## Who pays the freight

We pay the return freight when the goods are faulty.

### Faulty goods

Send photos within 3 days.
"""


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_second_level_heading_is_one_entry_with_its_file_heading_and_language(tmp_path: Path) -> None:
    _write(tmp_path, "en/returns.md", RETURNS)
    entries = read_handbook(tmp_path).entries
    window, freight = entries
    assert (window.id, window.language, window.source, window.title) == (
        "return_window",
        "en",
        "en/returns.md",
        "Returns",
    )
    assert window.heading == "Return window" and window.citation == "Returns › Return window"
    assert window.answer == "Goods may be returned within 14 days of delivery."
    assert window.questions == ("How long do I have to return goods?", "What is the return window?")
    assert window.offer == "how long you have to return goods" and window.topic == "policy"
    assert freight.id == "who_pays_the_freight"  # no {#id}: a slug of the heading
    assert freight.questions == ("Who pays the freight",)  # no questions: the heading is one
    assert "### Faulty goods" in freight.answer and "photos within 3 days" in freight.answer  # nested


def test_ids_are_stable_when_sections_are_added_or_moved(tmp_path: Path) -> None:
    _write(tmp_path, "returns.md", RETURNS)
    before = {e.id for e in read_handbook(tmp_path).entries}
    moved = RETURNS.replace("# Returns\n", "# Returns\n\n## Restocking fee\n\nNone.\n")
    _write(tmp_path, "returns.md", moved)
    after = {e.id for e in read_handbook(tmp_path).entries}
    assert after == before | {"restocking_fee"}
    assert read_handbook(tmp_path).version == read_handbook(tmp_path).version


def test_language_from_front_matter_suffix_folder_or_text(tmp_path: Path) -> None:
    _write(tmp_path, "a.md", "## 退货期限 {#return_window}\n\n收货后 14 天内可以退货。\n")
    _write(tmp_path, "b.zh.md", "## Shipping\n\nThis file says zh in its name.\n")
    _write(tmp_path, "en/c.md", "## 付款 {#pay}\n\n文件夹说是英文。\n")
    _write(tmp_path, "zh/d.md", "---\nlanguage: en\n---\n## Terms\n\nFront matter wins.\n")
    languages = {e.source: e.language for e in read_handbook(tmp_path).entries}
    assert languages == {"a.md": "zh", "b.zh.md": "zh", "en/c.md": "en", "zh/d.md": "en"}


def test_the_same_id_in_two_languages_is_one_entry_in_both(tmp_path: Path) -> None:
    _write(tmp_path, "en/x.md", "## Return window {#return_window}\n\nWithin 14 days.\n")
    _write(tmp_path, "zh/x.md", "## 退货期限 {#return_window}\n\n14 天内。\n")
    assert [(e.id, e.language) for e in read_handbook(tmp_path).entries] == [
        ("return_window", "en"),
        ("return_window", "zh"),
    ]


def test_empty_sections_and_files_without_headings_are_skipped_with_a_warning(tmp_path: Path) -> None:
    _write(tmp_path, "notes.md", "Just a paragraph, no headings.\n")
    _write(tmp_path, "faq.md", "# FAQ\n\nIntro text.\n\n## Empty\n\n## Hours\n\nNine to five.\n")
    handbook = read_handbook(tmp_path)
    assert [e.id for e in handbook.entries] == ["hours"]
    assert any("notes.md: no ## headings" in w for w in handbook.warnings)
    assert any("faq.md:5: section 'Empty' has no text" in w for w in handbook.warnings)
    assert any("faq.md:3: text before the first ## heading" in w for w in handbook.warnings)


def test_a_folder_without_entries_or_with_a_duplicate_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HandbookError, match="no such handbook folder"):
        read_handbook(tmp_path / "missing")
    _write(tmp_path, "notes.md", "# Only a title\n\nNo sections.\n")
    with pytest.raises(HandbookError, match="no entries"):
        read_handbook(tmp_path)
    _write(tmp_path, "a.md", "## Hours\n\nNine to five.\n")
    _write(tmp_path, "b.md", "## Opening hours {#hours}\n\nTen to six.\n")
    with pytest.raises(HandbookError, match=r"b\.md: id 'hours' \(en\) is already used by a\.md › Hours"):
        read_handbook(tmp_path)


def test_bad_front_matter_or_language_is_refused() -> None:
    with pytest.raises(HandbookError, match="not one of en, zh"):
        parse_markdown("---\nlanguage: fr\n---\n## A\n\nB\n", source="x.md")
    with pytest.raises(HandbookError, match="front matter"):
        parse_markdown("---\n: [\n---\n## A\n\nB\n", source="x.md")


def test_a_heading_level_can_be_chosen() -> None:
    entries, _ = parse_markdown("# Hours\n\nNine to five.\n\n# Fees\n\nNone.\n", source="x.md", level=1)
    assert [e.id for e in entries] == ["hours", "fees"]


def test_slugs() -> None:
    assert slug("Payment terms") == "payment_terms"
    assert slug("  Who pays? (returns)  ") == "who_pays_returns"
    assert slug("付款条件") == "付款条件"


def test_the_demo_handbook_keeps_the_ids_of_the_held_out_set() -> None:
    entries = load_faq()
    assert {e.id for e in entries if e.language == "en"} == {e.id for e in entries if e.language == "zh"}
    terms = next(e for e in entries if e.id == "payment_terms" and e.language == "zh")
    assert terms.citation == "付款与发票 › 付款条件" and terms.source == "zh/01-payments.md"
    assert all(e.offer and len(e.questions) >= 3 for e in entries)

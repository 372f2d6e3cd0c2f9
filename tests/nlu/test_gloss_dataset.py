from __future__ import annotations

from nlu.gloss import gloss


def test_gloss_appends_english_for_chinese_domain_words() -> None:
    out = gloss("AB-1020库存更新为450")
    assert out.startswith("AB-1020库存更新为450")
    assert "stock" in out and "update" in out


def test_gloss_leaves_english_alone() -> None:
    assert gloss("where is my order") == "where is my order"


def test_gloss_without_known_words_is_identity() -> None:
    assert gloss("哈哈哈") == "哈哈哈"

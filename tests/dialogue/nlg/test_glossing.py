"""Chinese listings say attribute words in Chinese (the tables, then the glossary); a word without a
gloss is reported, not silently left in English."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from dialogue.nlg.corpus import load_corpus
from dialogue.nlg.evaluation import attribute_values, missing_glossary, missing_glossary_text
from dialogue.nlg.glossing import gloss_value, is_neutral, missing_glosses
from dialogue.nlg.listing import compose
from tests.dialogue.nlg.conftest import DATA_DIR


def test_every_attribute_word_of_the_demo_catalogue_has_a_chinese_gloss() -> None:
    values = attribute_values(DATA_DIR)
    assert ("features", "hemstitched") in values and len(values) > 150
    report = missing_glossary(DATA_DIR)
    assert report["words"] == [], report["in"]
    tables = load_corpus(DATA_DIR).products
    for key, value in values:
        glossed = gloss_value(value, tables, key=key).text
        leftover = [w for w in glossed.split() if w.isascii() and not is_neutral(w)]
        assert not leftover, (value, glossed)


def test_the_linen_runner_is_hemstitched_in_chinese() -> None:
    tables = load_corpus(DATA_DIR).products
    attrs = {"name": "Linen Table Runner", "category": "Home Textiles", "material": "linen",
             "size": "40x180 cm", "features": "hemstitched, washable"}  # fmt: skip
    listing = compose(attrs, language="zh", tables=tables)
    text = listing.text()
    assert "抽纱" in text and "可水洗" in text and "亚麻" in text and "家纺" in text
    assert "hemstitched" not in text and listing.untranslated == ()


def test_codes_numbers_and_units_stay_and_word_runs_are_glossed() -> None:
    tables = load_corpus(DATA_DIR).products
    assert gloss_value("60W fast charge", tables, key="features").text == "60W快充"
    assert gloss_value("Bluetooth 5.3", tables, key="features").text == "蓝牙5.3"
    assert gloss_value("OEKO-TEX certified", tables, key="features").text == "OEKO-TEX认证"
    assert gloss_value("EN 20471", tables, key="features").text == "EN 20471"
    assert gloss_value("stainless steel", tables, key="material").text == "不锈钢"  # the attribute table


def test_a_word_without_a_gloss_is_named_and_stays_in_english() -> None:
    tables = load_corpus(DATA_DIR).products
    glossed = gloss_value("moth-proof, washable", tables, key="features")
    assert glossed.missing == ("moth-proof",)
    listing = compose({"name": "Wool Rug", "features": "moth-proof, washable"}, language="zh", tables=tables)
    assert listing.untranslated == ("moth-proof",) and "可水洗" in listing.text()
    assert missing_glosses([("features", "moth-proof"), ("size", "king")], tables) == {
        "king": ("king",),
        "moth-proof": ("moth-proof",),
    }


def test_evaluate_replies_reports_a_missing_gloss(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    attributes = data / "product_attributes.yml"
    tables = yaml.safe_load(attributes.read_text(encoding="utf-8"))
    tables["sizes"].append("king")
    attributes.write_text(yaml.safe_dump(tables, allow_unicode=True), encoding="utf-8")
    report = missing_glossary(data)
    assert report["words"] == ["king"] and report["in"] == {"king": ["king"]}
    assert missing_glossary_text(report) == "1 words: king (in king)"
    assert missing_glossary_text(missing_glossary(DATA_DIR)).startswith("none (")

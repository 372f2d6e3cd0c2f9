"""Product listings: title, bullets, specification table and paragraph; grammatical and grounded."""

from __future__ import annotations

from datetime import date

import pytest

from dialogue.demo import load_demo
from dialogue.nlg.corpus import Corpus
from dialogue.nlg.listing import TITLE_MAX, article, category_noun, compose, plural
from dialogue.nlg.listing_check import coverage, fluency_issues, invented

TOWEL = {
    "name": "Organic Cotton Bath Towel",
    "category": "Home Textiles",
    "material": "organic cotton",
    "size": "70x140 cm",
    "features": "quick-dry, 500 gsm, OEKO-TEX certified",
}


def test_the_category_is_said_as_a_countable_noun() -> None:
    assert category_noun("Home Textiles") == "home textile"
    assert category_noun("Electronics") == "electronics product"
    assert category_noun("Kitchenware") == "kitchenware item"
    assert category_noun("Bags") == "bag"
    assert category_noun("LED panel") == "LED panel"
    phrases = ("home textile", "electronics product", "LED panel", "unit", "office chair")
    assert [article(w) for w in phrases] == ["a", "an", "an", "a", "an"]
    assert plural("accessory") == "accessories" and plural("box") == "boxes"


def test_english_listing_of_the_issue_example(corpus: Corpus) -> None:
    listing = compose(TOWEL, language="en", tables=corpus.products)
    assert "a Home Textiles" not in listing.paragraph
    assert listing.paragraph.startswith(
        "The Organic Cotton Bath Towel is a home textile made of organic cotton."
    )
    assert len(listing.title) <= TITLE_MAX and listing.title.startswith("Organic Cotton Bath Towel – ")
    assert 3 <= len(listing.bullets) <= 5
    assert ("Category", "Home Textiles") in listing.specs and ("Size", "70x140 cm") in listing.specs
    assert fluency_issues(listing, TOWEL) == []
    text = listing.text()
    assert coverage(TOWEL, text, corpus.products) == 1.0 and invented(TOWEL, text, corpus.products) == []


def test_plural_product_names_agree() -> None:
    attrs = {"name": "Wireless Earbuds", "category": "Electronics", "color": "white"}
    paragraph = compose(attrs, language="en").paragraph
    assert paragraph == "The Wireless Earbuds are electronics products. They come in white."


def test_chinese_listing_translates_known_values(corpus: Corpus) -> None:
    listing = compose(TOWEL, language="zh", tables=corpus.products)
    text = listing.text()
    assert text.startswith("标题：Organic Cotton Bath Towel｜有机棉")
    assert "是一款家纺产品" in listing.paragraph and "速干" in text and "规格参数：" in text
    assert fluency_issues(listing, TOWEL) == []
    assert invented(TOWEL, text, corpus.products) == []


def test_long_names_keep_the_title_short() -> None:
    attrs = {"name": "Heavy Duty " * 6 + "Shelf", "material": "galvanized steel", "size": "180x90x40 cm"}
    assert len(compose(attrs, language="en").title) <= TITLE_MAX


def test_the_checks_catch_the_old_template() -> None:
    bad = compose({"name": "Towel"}, language="en")
    broken = type(bad)(bad.title, bad.bullets, bad.specs, "Towel is a Home Textiles made of cotton.", "en")
    assert "number_agreement" in fluency_issues(broken, {"name": "Towel", "category": "Home Textiles"})


def test_invented_attributes_are_found(corpus: Corpus) -> None:
    assert invented({"name": "Towel"}, "Towel, made of bamboo, 2 pieces", corpus.products) == ["2", "bamboo"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_demo_product_is_fluent_and_grounded(corpus: Corpus, language: str) -> None:
    for p in load_demo(date(2026, 11, 23)).products:
        attrs = {
            "name": p.name,
            "category": p.category,
            "material": p.material,
            "size": p.size,
            "features": p.features,
        }
        listing = compose(attrs, language=language, tables=corpus.products)
        assert fluency_issues(listing, attrs) == [], (p.sku, listing.paragraph)
        assert coverage(attrs, listing.text(), corpus.products) == 1.0
        assert invented(attrs, listing.text(), corpus.products) == [], p.sku

"""Product attributes from free-text description requests, in English and Chinese."""

from __future__ import annotations

import pytest

from nlu.attributes import attribute_vocabulary, attributes_from_text


def test_attributes_from_text() -> None:
    request = (
        "please write a product description for our oak wood cutting board, 40x25 cm, oiled, juice groove"
    )
    assert attributes_from_text(request) == {
        "name": "Oak Wood Cutting Board",
        "category": "kitchenware",
        "material": "oak wood",
        "size": "40x25 cm",
        "features": "oiled, juice groove",
    }
    assert attributes_from_text("write a product description") == {}


def test_colour_size_and_features_with_the_word_with() -> None:
    attrs = attributes_from_text(
        "create a listing for a navy blue wool blanket with fringed edges, 130x170 cm"
    )
    assert attrs == {
        "name": "Navy Blue Wool Blanket",
        "category": "home textiles",
        "material": "wool",
        "color": "navy blue",
        "size": "130x170 cm",
        "features": "fringed edges",
    }


def test_chinese_request() -> None:
    attrs = attributes_from_text("帮我写个文案：红色陶瓷马克杯，350毫升，可用洗碗机")
    assert attrs == {
        "name": "红色陶瓷马克杯",
        "category": "杯具",
        "material": "陶瓷",
        "color": "红色",
        "size": "350毫升",
        "features": "可用洗碗机",
    }


@pytest.mark.parametrize("text", ["write a product description", "750 ml", "", "write a blurb: 40x25 cm"])
def test_no_product_no_attributes(text: str) -> None:
    assert attributes_from_text(text) == {}


def test_longer_terms_come_first_in_the_vocabulary() -> None:
    vocab = attribute_vocabulary()
    assert vocab.material_in("organic cotton towel") == "organic cotton"
    assert vocab.color_in("a reddish bag") == ""  # colours are whole words
    assert vocab.category_in("power bank 10000mah") == "electronics"

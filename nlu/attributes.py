"""Product attributes from a free-text request: "a black stainless steel water bottle, 750 ml, ...".

The request grammar is here; the words (materials, colours, categories, size units) are in
nlu/data/vocab/product_attributes.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nlu.language import detect_language
from nlu.vocab import VOCAB_DIR, read_vocab

_REQUEST_EN = re.compile(
    r"^\s*(?:hey\s+|hi\s+)?(?:opsbot[,:]?\s*)?(?:please\s+|can\s+you\s+|could\s+you\s+)?"
    r"(?:write|create|generate|draft|give\s+me|make|prepare|need)\s+(?:me\s+|us\s+)?(?:up\s+)?"
    r"(?:a\s+|an\s+|the\s+|some\s+)?(?:short\s+|quick\s+|new\s+)?(?:product\s+)?"
    r"(?:description|listing|copy|blurb|text)s?\s*(?:for|of|about|:)?\s*(?:a\s+|an\s+|the\s+|our\s+|my\s+)?",
    re.I,
)
_REQUEST_ZH = re.compile(
    r"(?:请|帮我|帮忙|麻烦)?(?:给|为)?(?:我)?(?:写|生成|撰写|起草|做)(?:一?[段个份条])?(?:商品|产品)?"
    r"(?:描述|文案|介绍|详情)[:：,，]?|(?:请|帮我|帮忙)?(?:给|为)"
)
_REQUEST_TAIL_ZH = re.compile(
    r"(?:的)?(?:商品|产品)?(?:写|生成)?(?:一?[段个份条])?(?:商品|产品)?(?:描述|文案)$"
)
_ARTICLE = re.compile(r"^(?:a|an|the|our|my|some)\s+", re.I)
_PARTS = re.compile(r"[,;，；、\n]|\s+with\s+")  # "with" in lower case only
_NUMBER = r"\d+(?:\.\d+)?"
_TIMES = r"\s*(?:x|×|\*)\s*"
MAX_NAME_LENGTH = 80


@dataclass(frozen=True, slots=True)
class AttributeVocabulary:
    materials: tuple[str, ...]  # first hit wins
    colors: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]  # (word of the name, category), first hit wins
    size: re.Pattern[str]

    def material_in(self, folded: str) -> str:
        return next((m for m in self.materials if m in folded), "")

    def color_in(self, folded: str) -> str:
        return next((c for c in self.colors if re.search(rf"(?<![a-z]){re.escape(c)}(?![a-z])", folded)), "")

    def category_in(self, folded: str) -> str:
        return next((category for word, category in self.categories if word in folded), "")


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in words)


@cache
def attribute_vocabulary(vocab_dir: Path = VOCAB_DIR) -> AttributeVocabulary:
    """nlu/data/vocab/product_attributes.yml, read once."""
    vocab = read_vocab("product_attributes", vocab_dir)
    size = vocab.section("size")
    dimensions = _alternatives(size.strings("dimension_units"))
    measures = _alternatives(size.strings("measure_units"))
    labels = _alternatives(size.strings("labels"))
    size_pattern = re.compile(
        rf"{_NUMBER}{_TIMES}{_NUMBER}(?:{_TIMES}{_NUMBER})?\s*(?:{dimensions})?"
        rf"|{_NUMBER}\s*(?:{measures})(?![A-Za-z])"
        rf"|(?:{labels})\s*[:：]?\s*[A-Za-z0-9]+",
        re.I,
    )
    return AttributeVocabulary(
        materials=vocab.strings("materials"),
        colors=vocab.strings("colors"),
        categories=vocab.pairs("categories"),
        size=size_pattern,
    )


def attributes_from_text(text: str) -> dict[str, str]:
    """Best-effort attributes (name, category, material, color, size, features); {} without a product."""
    vocab = attribute_vocabulary()
    zh = detect_language(text) == "zh"
    body = _REQUEST_ZH.sub("", text, count=1) if zh else _REQUEST_EN.sub("", text, count=1)
    body = body.strip().rstrip(".!?。！？")
    parts = [p.strip() for p in _PARTS.split(body) if p and p.strip()]
    if not parts:
        return {}
    sizes: list[str] = []
    rest: list[str] = []
    for part in parts:
        m = vocab.size.search(part)
        if m and len(m.group(0)) >= len(part) * 0.6:
            sizes.append(m.group(0).strip())
        else:
            rest.append(part)
    if not rest:
        return {}
    head = rest[0]
    m = vocab.size.search(head)
    if m:
        sizes.append(m.group(0).strip())
        head = (head[: m.start()] + head[m.end() :]).strip()
    head = _ARTICLE.sub("", _REQUEST_TAIL_ZH.sub("", head).strip()).strip()
    if not head or len(head) > MAX_NAME_LENGTH:
        return {}
    folded = head.casefold()
    attrs = {"name": head if zh else " ".join(w[:1].upper() + w[1:] for w in head.split())}
    for key, value in (
        ("category", vocab.category_in(folded)),
        ("material", vocab.material_in(folded)),
        ("color", vocab.color_in(folded)),
        ("size", ", ".join(sizes)),
    ):
        if value:
            attrs[key] = value
    features = rest[1:]
    if features:
        attrs["features"] = "、".join(features) if zh else ", ".join(features)
    return attrs

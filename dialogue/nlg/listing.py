"""Product listings (drafts): a title, bullet points, a specification table and a paragraph, in EN or ZH.

Deterministic and grounded by construction: every attribute a listing states is an input value (or its
translation: dialogue/data/product_attributes.yml, then the glossary, see dialogue.nlg.glossing), put
into fixed, grammatical frames; nothing is added that the input does not say. A Chinese listing names
the English words it found no gloss for (`Listing.untranslated`); they are logged and reported by
`opsbot evaluate replies`. English grammar: the category is said as a countable noun with the
right article ("a home textile", "an electronics product", never "a Home Textiles").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from dialogue.nlg.catalog import PRODUCT_OUTCOME
from dialogue.nlg.corpus import ProductTables
from dialogue.nlg.glossing import gloss_value
from dialogue.nlg.types import RenderedReply

log = logging.getLogger(__name__)

TITLE_MAX = 80
MAX_BULLETS = 5
MIN_BULLETS = 3
ATTRIBUTES = ("name", "category", "material", "size", "color", "features")
_FEATURE_SPLIT = re.compile(r"\s*[,;、，；]\s*")
# Nouns that are mass or plural-only: an item of such a category is "a <category> item/product".
_MASS_SUFFIXES = ("ware", "ing", "ics", "wear", "ery", "ment", "age", "ty", "gear", "supplies")
_SINGULAR_EXCEPTIONS = {"glasses": "glasses", "series": "series", "scissors": "scissors"}
_AN_EXCEPTIONS = re.compile(r"^(?:uni|use|usb|one|eu)", re.I)  # "a unit", "a USB cable", "a one-piece"
_AN_SOUND = re.compile(r"^(?:[aeiou]|hour|honest|led\b|[fhlmnrsx]\b)", re.I)
LABELS = {
    "en": {
        "category": "Category",
        "material": "Material",
        "size": "Size",
        "color": "Colour",
        "features": "Features",
    },
    "zh": {"category": "品类", "material": "材质", "size": "尺寸", "color": "颜色", "features": "特点"},
}


@dataclass(frozen=True, slots=True)
class Listing:
    title: str
    bullets: tuple[str, ...]
    specs: tuple[tuple[str, str], ...]  # (label, value) rows
    paragraph: str
    language: str
    untranslated: tuple[str, ...] = ()  # English words of the attributes with no Chinese gloss

    def text(self) -> str:
        zh = self.language == "zh"
        width = max((len(label) for label, _ in self.specs), default=0)
        rows = [f"{label.ljust(width)} | {value}" for label, value in self.specs]
        bullets = [f"• {b}" for b in self.bullets]
        parts = [
            f"{'标题' if zh else 'Title'}{'：' if zh else ': '}{self.title}",
            ("卖点：" if zh else "Key points:"),
            *bullets,
            ("规格参数：" if zh else "Specifications:"),
            *rows,
            f"{'描述' if zh else 'Description'}{'：' if zh else ': '}{self.paragraph}",
        ]
        return "\n".join(parts)


def clean_attributes(attributes: Mapping[str, str]) -> dict[str, str]:
    """The known attributes with a value, stripped; `title`/`product_name` count as the name."""
    aliases = {"colour": "color", "feature": "features", "title": "name", "product_name": "name"}
    out: dict[str, str] = {}
    for key, value in attributes.items():
        name = aliases.get(key.strip().lower(), key.strip().lower())
        text = " ".join(str(value).split())
        if name in ATTRIBUTES and text:
            out[name] = text
    if "name" not in out and str(attributes.get("sku", "")).strip():
        out["name"] = str(attributes["sku"]).strip()
    return out


def features_of(value: str) -> list[str]:
    return [f for f in _FEATURE_SPLIT.split(value) if f]


def article(phrase: str) -> str:
    """'a' or 'an' for the phrase, by its first sound."""
    if _AN_EXCEPTIONS.match(phrase):
        return "a"
    return "an" if _AN_SOUND.match(phrase) else "a"


def category_noun(category: str) -> str:
    """The category as a countable singular noun phrase: Home Textiles -> home textile, Bags -> bag,
    Electronics -> electronics product, Kitchenware -> kitchenware item, desk lamp -> desk lamp."""
    words = category.split()
    head = words[-1].lower() if words else ""
    lowered = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    if head in _SINGULAR_EXCEPTIONS:
        return lowered
    if head in ("electronics", "supplies", "goods", "clothes") or head.endswith(_MASS_SUFFIXES):
        return f"{lowered} {'product' if head in ('electronics', 'supplies', 'goods') else 'item'}"
    if head.endswith("ies") and len(head) > 4:
        return lowered[:-3] + "y"
    if head.endswith(("ches", "shes", "xes", "sses")):
        return lowered[:-2]
    if head.endswith("s") and not head.endswith("ss") and len(head) > 3:
        return lowered[:-1]
    return lowered


def _join(items: list[str], language: str) -> str:
    if language == "zh":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _title(attrs: Mapping[str, str], values: Mapping[str, str], features: list[str], language: str) -> str:
    """The name, then material, size, colour and two features while it stays within TITLE_MAX."""
    sep = "｜" if language == "zh" else " – "
    more = [values[k] for k in ("material", "size", "color") if k in values] + features[:2]
    title = attrs["name"]
    for part in more:
        candidate = f"{title}{sep if title == attrs['name'] else ('、' if language == 'zh' else ', ')}{part}"
        if len(candidate) > TITLE_MAX:
            break
        title = candidate
    return title[:TITLE_MAX]


def compose(attributes: Mapping[str, str], *, language: str, tables: ProductTables | None = None) -> Listing:
    """The listing of a product from its attributes (a `name` is required)."""
    attrs = clean_attributes(attributes)
    if "name" not in attrs:
        raise ValueError("a listing needs the product's name")
    zh = language == "zh"
    untranslated: list[str] = []

    def one(key: str, value: str) -> str:
        if zh:
            glossed = gloss_value(value, tables, key=key)
            untranslated.extend(glossed.missing)
            return glossed.text
        return tables.localize(key, value, language) if tables is not None else value

    def local(key: str, value: str) -> str:
        if key == "features":
            return _join([one(key, f) for f in features_of(value)], language)
        return one(key, value)

    values = {k: local(k, v) for k, v in attrs.items() if k != "name"}
    labels = LABELS["zh" if zh else "en"]
    features = [one("features", f) for f in features_of(attrs.get("features", ""))]
    bullets = [f[:1].upper() + f[1:] if not zh else f for f in features]
    for key in ("material", "size", "color", "category"):
        if key in values:
            bullets.append(f"{labels[key]}{'：' if zh else ': '}{values[key]}")
    specs = tuple(
        (labels[k], values[k]) for k in ("category", "material", "size", "color", "features") if k in values
    )
    return Listing(
        title=_title(attrs, values, features, language),
        bullets=tuple(bullets[:MAX_BULLETS]),
        specs=specs,
        paragraph=_paragraph_zh(attrs["name"], values)
        if zh
        else _paragraph_en(attrs["name"], values, features),
        language=language,
        untranslated=tuple(dict.fromkeys(untranslated)),
    )


def is_plural_name(name: str) -> bool:
    """A product name whose head noun is plural: "Wireless Earbuds", "Safety Gloves" (not "Glass")."""
    head = name.split()[-1].lower() if name.split() else ""
    return head.endswith("s") and not head.endswith(("ss", "us", "is", "ics")) and len(head) > 3


def plural(noun: str) -> str:
    """home textile -> home textiles, accessory -> accessories, box -> boxes."""
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def _paragraph_en(name: str, values: Mapping[str, str], features: list[str]) -> str:
    the = "" if name.lower().startswith("the ") else "The "
    many = is_plural_name(name)
    verb, it, its = ("are", "They", "Their") if many else ("is", "It", "Its")
    first = f"{the}{name}"
    if "category" in values:
        noun = category_noun(values["category"])
        first += f" {verb} {plural(noun)}" if many else f" {verb} {article(noun)} {noun}"
        if "material" in values:
            first += f" made of {values['material']}"
    elif "material" in values:
        first += f" {verb} made of {values['material']}"
    else:
        first += f" {verb} described below"
    sentences = [first + "."]
    if "color" in values:
        sentences.append(f"{it} come{'' if many else 's'} in {values['color']}.")
    if "size" in values:
        size = values["size"]
        sentences.append(
            f"{it} measure{'' if many else 's'} {size}." if size[:1].isdigit() else f"Size: {size}."
        )
    if features:
        sentences.append(f"{its} features: {_join(features, 'en')}.")
    return " ".join(sentences)


def _paragraph_zh(name: str, values: Mapping[str, str]) -> str:
    category = values.get("category", "")
    kind = category if category.endswith("品") else f"{category}产品"
    clauses = [f"{name}是一款{kind}" if category else name]
    if "material" in values:
        clauses.append(f"采用{values['material']}材质")
    if "color" in values:
        clauses.append(f"颜色为{values['color']}")
    if "size" in values:
        clauses.append(f"尺寸为{values['size']}")
    text = "，".join(clauses) + "。"
    if "features" in values:
        text += f"特点：{values['features']}。"
    return text


def listing_reply(
    attributes: Mapping[str, str], language: str, tables: ProductTables | None, *, label: str
) -> RenderedReply | None:
    """The listing as a rendered draft reply (`label` first); None without the product's name."""
    try:
        listing = compose(attributes, language=language, tables=tables)
    except ValueError:
        return None
    if listing.untranslated:
        log.warning(
            "listing in %s leaves %s in English: no gloss in nlu/data/vocab/gloss.yml (attributes)",
            language,
            ", ".join(listing.untranslated),
        )
    text = label + listing.text()
    return RenderedReply(
        text, PRODUCT_OUTCOME, language, text, used_fallback=False, source="template", is_draft=True
    )

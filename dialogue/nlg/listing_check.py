"""Checks of a product listing: attribute coverage, invented attributes, and fluency (rules).

Used by `opsbot evaluate replies` (dialogue.nlg.evaluation) on held-out attribute combinations.
- coverage: the share of the input's attributes whose values (or translations) the listing states;
- invented: attribute values of the vocabulary (product_attributes.yml) that the listing states but the
  input does not have, and numbers that are in no input value;
- fluency: the rules a listing must keep (title length, 3-5 bullets when the input has three or more
  attributes, sentences that start and end properly, articles and number agreement in English, no
  doubled words, no Latin punctuation run into Chinese).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dialogue.nlg.corpus import ProductTables
from dialogue.nlg.glossing import gloss_value
from dialogue.nlg.listing import MAX_BULLETS, MIN_BULLETS, TITLE_MAX, Listing, clean_attributes, features_of

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_DOUBLE_WORD = re.compile(r"\b(\w+)\s+\1\b", re.I)
_BAD_ARTICLE = re.compile(
    r"\ban\s+(?![aeiou]|hour|honest|led\b|[fhlmnrsx]\b)[a-z]|\ba\s+(?!uni|use|usb|one|eu)[aeiou]\w", re.I
)
_PLURAL_AFTER_ARTICLE = re.compile(
    r"\b(?:a|an)\s+(?:[a-z\-]+\s+)?(?:textiles|electronics|goods|supplies|bags|tools|products|items)\b"
    r"(?!\s+(?:product|item)\b)",
    re.I,
)


def _variants(key: str, value: str, tables: ProductTables | None) -> set[str]:
    forms = {value.casefold(), gloss_value(value, tables, key=key).text.casefold()}
    if tables is not None:
        for lang in ("en", "zh"):
            forms.add(tables.localize(key, value, lang).casefold())
    return forms


def coverage(attributes: Mapping[str, str], text: str, tables: ProductTables | None = None) -> float:
    """Share of the input attribute values (each feature on its own) that the listing states."""
    attrs = clean_attributes(attributes)
    folded = text.casefold()
    wanted: list[set[str]] = []
    for key, value in attrs.items():
        if key == "features":
            wanted += [_variants(key, f, tables) for f in features_of(value)]
        else:
            wanted.append(_variants(key, value, tables))
    if not wanted:
        return 1.0
    return sum(any(form in folded for form in forms) for forms in wanted) / len(wanted)


def invented(attributes: Mapping[str, str], text: str, tables: ProductTables) -> list[str]:
    """Vocabulary attribute values and numbers the listing states that the input does not give."""
    attrs = clean_attributes(attributes)
    given = " ".join(attrs.values()).casefold()
    given_forms = {f for key, value in attrs.items() for f in _variants(key, value, tables)}
    given_forms |= {
        f for f in features_of(attrs.get("features", "")) for f in _variants("features", f, tables)
    }
    folded = text.casefold()
    found = []
    for table in tables.translations.values():
        for en, zh in table.items():
            for form in (en.casefold(), zh.casefold()):
                hit = re.search(rf"(?<![a-z]){re.escape(form)}(?![a-z])", folded)
                if hit and not any(form in g for g in given_forms) and form not in given:
                    found.append(form)
    found += [n for n in _NUMBER.findall(text) if n not in given]
    return sorted(set(found))


def fluency_issues(listing: Listing, attributes: Mapping[str, str]) -> list[str]:
    """The fluency rules the listing breaks (empty: fluent)."""
    issues = []
    attrs = clean_attributes(attributes)
    stated = len([k for k in attrs if k != "name"]) + max(0, len(features_of(attrs.get("features", ""))) - 1)
    if len(listing.title) > TITLE_MAX:
        issues.append("title_too_long")
    if stated >= MIN_BULLETS and not MIN_BULLETS <= len(listing.bullets) <= MAX_BULLETS:
        issues.append("bullet_count")
    if len(listing.bullets) > MAX_BULLETS or len(set(listing.bullets)) < len(listing.bullets):
        issues.append("bullets")
    text = listing.text()
    if _DOUBLE_WORD.search(text):
        issues.append("doubled_word")
    if "[" in text or "{" in text:
        issues.append("placeholder")
    paragraph = listing.paragraph
    if listing.language == "zh":
        if not paragraph.endswith("。") or re.search(r"[\u4e00-\u9fff][,.;:]", paragraph):
            issues.append("zh_punctuation")
        if re.search(r"产品产品|的的|。。", paragraph):
            issues.append("zh_repetition")
    else:
        if not paragraph[:1].isupper() or not paragraph.endswith("."):
            issues.append("sentence_bounds")
        if _BAD_ARTICLE.search(paragraph):
            issues.append("article")
        if _PLURAL_AFTER_ARTICLE.search(paragraph):
            issues.append("number_agreement")
    return issues

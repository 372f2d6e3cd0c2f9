"""Product attribute values in Chinese: the attribute tables, then the glossary, word run by word run.

A value is first looked up whole in dialogue/data/product_attributes.yml ("stainless steel" -> 不锈钢),
then whole in the glossary's `attributes` (nlu/data/vocab/gloss.yml: "hemstitched" -> 抽纱), then
composed: codes, numbers and units stay as they are ("60W", "EN 397", "OEKO-TEX", "cm"), and each run
of English words is glossed by its longest known phrase ("60W fast charge" -> 60W快充). A word with no
gloss stays in English and is named in `missing`, so `opsbot evaluate replies` can report it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dialogue.nlg.corpus import ProductTables
from nlu.gloss import attribute_glosses

MAX_PHRASE_WORDS = 4
_UNITS = frozenset({"cm", "mm", "m", "ml", "l", "kg", "g", "gsm", "w", "v", "mah", "x", "wi-fi", "in"})
_HAS_DIGIT = re.compile(r"\d")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.+/-]*$")  # ABS, HDPE, EU, USB-C, OEKO-TEX, XL
_EDGE_PUNCTUATION = "()（）,.;:"


@dataclass(frozen=True, slots=True)
class Glossed:
    text: str
    missing: tuple[str, ...] = ()  # English words left as they are: no gloss for them


def is_neutral(token: str) -> bool:
    """A token that reads the same in Chinese: a number, a code, a unit."""
    bare = token.strip(_EDGE_PUNCTUATION)
    return not bare or bool(_HAS_DIGIT.search(bare) or _CODE.match(bare)) or bare.lower() in _UNITS


def _known(tables: ProductTables | None) -> dict[str, str]:
    """Every English attribute value of the tables and the glossary (lower case) -> Chinese."""
    words = dict(attribute_glosses())
    if tables is not None:
        for table in tables.translations.values():
            for en, zh in table.items():
                words.setdefault(" ".join(en.lower().split()), zh)
    return words


def _join(pieces: list[tuple[str, bool]]) -> str:
    """Chinese pieces run together; Latin pieces (codes, numbers, untranslated words) keep a space."""
    out = ""
    for i, (piece, latin) in enumerate(pieces):
        if i and latin and pieces[i - 1][1]:
            out += " "
        out += piece
    return out


def gloss_value(value: str, tables: ProductTables | None = None, *, key: str = "") -> Glossed:
    """The value in Chinese, and the English words it has no gloss for."""
    text = " ".join(value.split())
    if not text:
        return Glossed(text)
    if tables is not None and key:
        local = tables.localize(key, text, "zh")
        if local != text:
            return Glossed(local)
    known = _known(tables)
    if text.lower() in known:
        return Glossed(known[text.lower()])
    tokens = text.split()
    pieces: list[tuple[str, bool]] = []
    missing: list[str] = []
    i = 0
    while i < len(tokens):
        if is_neutral(tokens[i]):
            pieces.append((tokens[i], True))
            i += 1
            continue
        for j in range(min(len(tokens), i + MAX_PHRASE_WORDS), i, -1):
            phrase = " ".join(tokens[i:j]).lower()
            if phrase in known:
                pieces.append((known[phrase], False))
                i = j
                break
        else:
            pieces.append((tokens[i], True))
            missing.append(tokens[i].strip(_EDGE_PUNCTUATION).lower())
            i += 1
    return Glossed(_join(pieces), tuple(dict.fromkeys(missing)))


def missing_glosses(
    values: Iterable[tuple[str, str]], tables: ProductTables | None = None
) -> Mapping[str, tuple[str, ...]]:
    """For (attribute, value) pairs: each English word without a Chinese gloss -> the values it is in."""
    found: dict[str, list[str]] = {}
    for key, value in values:
        for word in gloss_value(value, tables, key=key).missing:
            found.setdefault(word, [])
            if value not in found[word]:
                found[word].append(value)
    return {word: tuple(found[word]) for word in sorted(found)}

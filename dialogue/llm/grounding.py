"""Checks that reject what a model made up: numbers, ids, dates and words that are not in the source.

The attribute vocabulary (dialogue/nlg/listing_check.invented) knows only the words it lists; a model
writes others ("waterproof", "lightweight", "防水"). So a listing's content words are compared with the
words of its facts (and of the template listing built from them), plus a small list of function and
generic marketing words that state nothing about a product.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ID = re.compile(r"\b(?=[A-Za-z0-9_/-]*\d)(?=[A-Za-z0-9_/-]*[A-Za-z])[A-Za-z0-9]+(?:[-_/][A-Za-z0-9]+)*\b")
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def _words(text: str) -> list[str]:
    return text.split()


MONTHS = _words(
    """
    january february march april june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """
)

# Words that state nothing about a product: grammar, and praise that names no attribute.
FUNCTION_WORDS = frozenset(
    _words(
        """
        a an the and or but nor of in on at to for from by with without into onto over under as than then is
        are was were be been being it its it's this that these those there here their they them you your
        yours we our us he she his her who whom whose which what when where why how all any both each every
        either neither some such no not only also just very more most much many few one can could will would
        should may might must shall do does did done has have had having so if because while about across
        per via up out off made make makes making come comes coming available features feature featuring
        designed design offers offer offering includes include including provides provide providing keep
        keeps great ideal perfect excellent quality everyday daily practical choice option reliable product
        products item items piece pieces set use uses used using user users need needs needed enjoy
        experience key point points title description specifications specification details detail new get
        gets fully truly really simply well
        """
    )
)
# The same for Chinese, character by character (function characters and empty praise).
FUNCTION_CHARS = frozenset(
    "的是一款个件种类型为和与及并且有具备带此这该本其之于以在中上下了也都而让给您你我们"
    "采用材质尺寸颜色特点规格参数卖点描述标题品产选择理想优良好高日常使适合佳更加可"
    "，。、；：！？“”‘’（）《》·—…"
)


def numbers(text: str) -> set[str]:
    """The numbers in `text`, thousands separators dropped ("12,500.00" -> "12500.00")."""
    return {_plain(n) for n in _NUMBER.findall(text)}


def _plain(number: str) -> str:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", number):
        number = number.replace(",", "")
    return number


def unsupported_numbers(text: str, sources: Iterable[str]) -> list[str]:
    """Numbers in `text` that no source states (ids' digits and dates' parts count as stated)."""
    given = set().union(*(numbers(s) for s in sources))
    given |= {n.split(".")[0] for n in given} | {n + ".00" for n in given}
    return sorted(n for n in numbers(text) if n not in given)


def unsupported_ids(text: str, sources: Iterable[str]) -> list[str]:
    """Ids (letters and digits: PO-10234, AB-1020) in `text` that occur in no source."""
    folded = " ".join(sources).casefold()
    return sorted({m for m in _ID.findall(text) if m.casefold() not in folded})


def unsupported_dates(text: str, sources: Iterable[str]) -> list[str]:
    """Month names in `text` that no source names."""
    folded = " ".join(sources).casefold()
    said = {w.casefold() for w in _WORD.findall(text)}
    return sorted(m for m in MONTHS if m in said and not re.search(rf"\b{m}", folded))


def _forms(word: str) -> set[str]:
    """A word and the forms it could have been derived from (plural, past, -ing, -ly)."""
    w = word.casefold().replace("’", "'")
    forms = {w, w.removesuffix("'s")}
    for suffix, replacement in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            forms.add(w[: -len(suffix)] + replacement)
    if w.endswith("ly") and len(w) > 4:
        forms.add(w[:-2])
    return forms


def unsupported_words(text: str, sources: Iterable[str], allowed: Iterable[str] = ()) -> list[str]:
    """Latin words of `text` in no source, and runs of Chinese characters whose characters are not in
    the sources, less function words and `allowed`: the claims a model added."""
    source_text = " ".join(sources)
    known: set[str] = set(FUNCTION_WORDS) | {w.casefold() for w in allowed}
    for word in _WORD.findall(source_text):
        known |= _forms(word)
    found = [w for w in _WORD.findall(text) if not (_forms(w) & known)]
    source_chars = set("".join(_HAN.findall(source_text))) | FUNCTION_CHARS
    for run in _HAN.findall(text):
        unknown = "".join(ch if ch not in source_chars else " " for ch in run).split()
        found += [piece for piece in unknown]
    return sorted(dict.fromkeys(found))


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))

"""Which language a text is written in (en or zh), and the character tests behind that decision.

This is the only place that looks at characters to decide a language; dialogue.language decides the
conversation's reply language from these answers.
"""

from __future__ import annotations

import re

from nlu.limits import DEFAULT_LIMITS
from nlu.normalize import fold

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_CODE = re.compile(r"[A-Za-z]{1,4}-?\d{2,10}")  # PO-1001, AB-1020, INV2002: the same in every language


def detect_language(
    text: str, default: str = "en", *, max_chars: int = DEFAULT_LIMITS.language_max_chars
) -> str:
    """'zh' when Han characters outweigh Latin letters (one Han character ~ three letters), else 'en'.

    Only the first `max_chars` characters are counted, after NFKC (full-width letters are Latin).
    """
    head = fold(text[:max_chars])
    han = len(_HAN.findall(head))
    latin = len(_LATIN.findall(head))
    if han == 0 and latin == 0:
        return default
    return "zh" if han * 3 >= latin and han > 0 else "en"


def has_han(text: str) -> bool:
    """The text contains a Chinese character."""
    return _HAN.search(text) is not None


def has_letters(text: str) -> bool:
    """The text contains a letter of any script (a bare number or emoji has none)."""
    return any(ch.isalpha() for ch in text)


def is_language_neutral(text: str) -> bool:
    """Nothing but codes, numbers and short tokens ("1001", "AB-1020 450"): no word tells a language."""
    rest = _CODE.sub(" ", text)
    return _LATIN_WORD.search(rest) is None and not has_han(rest)

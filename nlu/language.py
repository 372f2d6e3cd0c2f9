"""Language of a message (en or zh) from the share of CJK characters."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, default: str = "en") -> str:
    """'zh' when Han characters outweigh Latin letters (one Han character ~ three letters), else 'en'."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    if han == 0 and latin == 0:
        return default
    return "zh" if han * 3 >= latin and han > 0 else "en"


def cjk_ratio(text: str) -> float:
    letters = len(_CJK.findall(text)) + len(_LATIN.findall(text))
    return len(_CJK.findall(text)) / letters if letters else 0.0

"""Bilingual glossing: append English glosses of Chinese domain words before encoding.

all-MiniLM-L6-v2 is an English model; a Chinese message gets a weak embedding. Appending the
English gloss of the domain words it contains ("库存" -> "stock") lets the encoder place it near
its English paraphrases. Used identically at training and inference time. The words are in
nlu/data/vocab/gloss.yml. With the default routed encoder (nlu.multilingual) Chinese messages go to
multilingual-e5-small and are not glossed; only the English head's Chinese training examples are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nlu.vocab import VOCAB_DIR, read_vocab

_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Glossary:
    glosses: Mapping[str, str]
    pattern: re.Pattern[str]  # the Chinese words, longest first


@cache
def glossary(vocab_dir: Path = VOCAB_DIR) -> Glossary:
    """nlu/data/vocab/gloss.yml, read once."""
    glosses = dict(read_vocab("gloss", vocab_dir).pairs("glossary"))
    keys = sorted(glosses, key=len, reverse=True)
    return Glossary(glosses, re.compile("|".join(re.escape(k) for k in keys)))


def gloss(text: str) -> str:
    """text, plus ' (' + English glosses + ')' when it contains known Chinese words."""
    if not _HAN.search(text):
        return text
    words = glossary()
    seen: list[str] = []
    for m in words.pattern.finditer(text):
        g = words.glosses[m.group(0)]
        if g not in seen:
            seen.append(g)
    return f"{text} ({'; '.join(seen)})" if seen else text


@cache
def attribute_glosses(vocab_dir: Path = VOCAB_DIR) -> Mapping[str, str]:
    """Product attribute words and phrases, English (lower case) -> Chinese: gloss.yml's `attributes`.

    The file lists them Chinese first, like the rest of the glossary; the first Chinese word given for
    an English one is the one listings use.
    """
    out: dict[str, str] = {}
    for zh, en in read_vocab("gloss", vocab_dir).pairs("attributes"):
        out.setdefault(" ".join(en.lower().split()), zh)
    return out

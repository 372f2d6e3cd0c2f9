"""Spotting a customer's name in a message: the word runs left once request words are taken out.

"tell me about ACME Corp" -> ["ACME Corp", "ACME", "Corp"]; "查一下 Globex 客户" -> ["Globex"].
The request words are in nlu/data/vocab/names.yml. Which candidate is a known customer is the
caller's question (dialogue asks its Backend).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz

from nlu.vocab import VOCAB_DIR, read_vocab

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9&'.\-]*|[\u3400-\u9fff]+")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]")
_CODE = re.compile(r"[A-Za-z]{1,4}-?\d+")  # PO-1001, AB-1020: an id, not a name
_NAME_LIKE = re.compile(r"[A-Z\u3400-\u9fff]")
MAX_CANDIDATES = 12
MAX_WORDS = 4
SAME_NAME_RATIO = 85


@dataclass(frozen=True, slots=True)
class NameVocabulary:
    stopwords: frozenset[str]
    zh_noise: re.Pattern[str]
    legal_suffix: re.Pattern[str]
    zh_description: re.Pattern[str]


@cache
def name_vocabulary(vocab_dir: Path = VOCAB_DIR) -> NameVocabulary:
    """nlu/data/vocab/names.yml, read once."""
    vocab = read_vocab("names", vocab_dir)
    suffixes = [
        re.escape(s[:-1]) + r"\.?" if s.endswith(".") else re.escape(s)
        for s in vocab.strings("legal_suffixes")
    ]
    return NameVocabulary(
        stopwords=frozenset(vocab.text("stopwords").split()),
        zh_noise=re.compile("|".join(re.escape(w) for w in vocab.strings("zh_noise"))),
        legal_suffix=re.compile(r"\s+(" + "|".join(suffixes) + r")$", re.I),
        zh_description=re.compile("|".join(re.escape(w) for w in vocab.strings("zh_description_verbs"))),
    )


def word_count(text: str) -> int:
    """Words (Latin) and runs of Chinese characters in the text."""
    return len(_TOKEN.findall(text))


def name_candidates(text: str) -> list[str]:
    """Word n-grams (up to four words) that could be a customer name, longest first."""
    vocab = name_vocabulary()
    words: list[str] = []
    runs: list[list[str]] = []
    for raw in _TOKEN.findall(text):
        if _HAN_RUN.match(raw):
            for piece in vocab.zh_noise.split(raw):
                if len(piece) >= 2:
                    runs.append(words)
                    words = []
                    runs.append([piece])
            continue
        word = raw.strip(".'-")
        if word.lower() in vocab.stopwords or not word or _CODE.fullmatch(word):
            if words:
                runs.append(words)
            words = []
        else:
            words.append(word)
    runs.append(words)
    found: list[str] = []
    for run in runs:
        for size in range(min(len(run), MAX_WORDS), 0, -1):
            for i in range(len(run) - size + 1):
                candidate = " ".join(run[i : i + size])
                if len(candidate) >= 2 and candidate not in found:
                    found.append(candidate)
    return sorted(found, key=len, reverse=True)[:MAX_CANDIDATES]


_LOWER_WORD = re.compile(r"\b[a-z][a-z\-]{2,}\b")
_HAN_TEXT = re.compile(r"[\u3400-\u9fff]")
DESCRIPTION_MIN_HAN = 6


def looks_like_description(text: str) -> bool:
    """A company description, not a name: "Distributor buying electronics", "一家生产医用口罩的公司".

    English: two or more lowercase content words (a name is capitalized: "ACME Corp", "Wayne
    Hospitality"). Chinese: six or more characters with a word that says what a business does.
    """
    vocab = name_vocabulary()
    han = len(_HAN_TEXT.findall(text))
    if han >= DESCRIPTION_MIN_HAN and vocab.zh_description.search(text):
        return True
    content = [w for w in _LOWER_WORD.findall(text) if w not in vocab.stopwords]
    return han < DESCRIPTION_MIN_HAN and len(content) >= 2


def looks_like_name(candidate: str) -> bool:
    """Capitalized or Chinese: worth echoing back as "no customer called ..."."""
    return _NAME_LIKE.search(candidate) is not None


def without_legal_suffix(name: str) -> str:
    """The name without its legal-form suffix: ACME Corp -> ACME."""
    return name_vocabulary().legal_suffix.sub("", name).strip()


def is_name_of(candidate: str, name: str, *, id_: str = "") -> bool:
    """The candidate looks like the name itself, not a substring hit ("IT" is not "Initech").

    It must equal (or nearly equal) the full name, the name without its legal suffix, the name's
    first word, or the id.
    """
    cand = candidate.casefold().strip()
    folded = name.casefold()
    forms = {
        folded,
        without_legal_suffix(folded),
        folded.split()[0] if folded.split() else "",
        id_.casefold(),
    }
    return any(cand == form or fuzz.ratio(cand, form) >= SAME_NAME_RATIO for form in forms if form)

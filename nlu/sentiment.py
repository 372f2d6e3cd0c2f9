"""Sentiment (negative / neutral / positive) for EN and ZH messages of suppliers and sales reps.

EN: VADER plus a small lexicon of B2B complaint cues VADER misses ("still haven't paid", "again").
ZH: a lexicon of complaint and thanks cues with simple negation. SnowNLP (trained on product
reviews; it scores most neutral questions low) is an opt-in fallback used only at extreme scores.
Ids, SKUs and numbers are masked first ("PO" is a VADER lexicon entry).

Only the first `max_chars` characters are read, as VADER reads them (an emoji counts as its
description, "face with tears of joy"): VADER's cost grows with the square of the number of words
(each lexicon word re-lowercases the whole word list; the "but" check is list.index in a loop).
SnowNLP reads at most `snownlp_max_chars`: its segmenter costs about 0.6 ms per Han character and
copies the best path at every step of a run of Han characters (quadratic in the run).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nlu.language import detect_language
from nlu.limits import DEFAULT_LIMITS
from nlu.normalize import cut, fold

SNOWNLP_MAX_CHARS = 64

_MASK = re.compile(r"(?<![A-Za-z])(?:p\.?o\.?|inv|sku)\s*[-#:]?\s*\d+|[A-Za-z]{1,4}-\d+|#\d+|\d[\d,.]*", re.I)

_EN_NEGATIVE = [
    (re.compile(p, re.I), w)
    for p, w in [
        (r"\bunacceptable\b", -0.6),
        (r"\bridiculous\b", -0.6),
        (r"\bstill (?:haven'?t|not|no|hasn'?t|waiting)", -0.4),
        (r"\bagain\b[.!?]*", -0.25),
        (r"\bfed up\b", -0.6),
        (r"\bnobody (?:answers|replies|responds)", -0.5),
        (r"\bno one (?:answers|replies|is)", -0.4),
        (r"\bwrong (?:deduction|amount|charge)", -0.4),
        (r"\b(?:late|overdue) (?:again|payment)", -0.3),
        (r"\bwaiting (?:for )?(?:\w+ )?(?:weeks|months)", -0.4),
        (r"\bcomplain(?:t|ing)?\b", -0.4),
        (r"\bstop supplying\b", -0.5),
        (r"\bovercharg", -0.5),
        (r"\bunfair\b", -0.5),
        (r"\bdisgrace", -0.6),
        (r"\buseless\b", -0.6),
        (r"\bterrible\b", -0.5),
        (r"\bworst\b", -0.6),
        (r"\bangry\b", -0.5),
        (r"\bfrustrat", -0.5),
        (r"\bdisappoint", -0.5),
        (r"\bignor(?:e|ing)\b", -0.4),
        (r"\bshort[- ]paid|short payment\b", -0.4),
        (r"\bnot (?:ok|okay|happy)\b", -0.5),
        (r"[!?]{2,}", -0.2),
        (r"\bwtf\b", -0.6),
        (r"\bjoke\b", -0.3),
        (r"\bforever\b", -0.2),
        (r"\bhaven'?t (?:been )?(?:paid|received)", -0.3),
        (r"\bnever (?:arrived|received|paid)", -0.4),
    ]
]
_ZH_NEGATIVE = [
    ("太差", -0.7),
    ("很差", -0.6),
    ("差劲", -0.7),
    ("不满", -0.6),
    ("投诉", -0.5),
    ("过分", -0.6),
    ("离谱", -0.6),
    ("失望", -0.6),
    ("受够", -0.7),
    ("垃圾", -0.7),
    ("生气", -0.6),
    ("不能接受", -0.7),
    ("无法接受", -0.7),
    ("扣错", -0.5),
    ("不公平", -0.6),
    ("没人回", -0.5),
    ("没人理", -0.5),
    ("没人处理", -0.5),
    ("一直没", -0.3),
    ("还没付", -0.4),
    ("还没到账", -0.3),
    ("怎么回事", -0.3),
    ("骗", -0.5),
    ("坑", -0.4),
    ("太慢", -0.5),
    ("开什么玩笑", -0.6),
    ("莫名其妙", -0.5),
    ("一点用都没有", -0.7),
    ("没用", -0.5),
    ("亏", -0.3),
    ("多收", -0.4),
    ("少付", -0.4),
    ("又晚", -0.5),
    ("又少", -0.5),
    ("不供货", -0.5),
    ("态度", -0.3),
    ("糟糕", -0.6),
    ("烂", -0.5),
    ("气死", -0.7),
    ("太慢了", -0.3),
    ("！！", -0.2),
    ("？？", -0.2),
    ("到底", -0.3),
    ("凭什么", -0.5),
]
_ZH_POSITIVE = [
    ("谢谢", 0.6),
    ("感谢", 0.6),
    ("多谢", 0.6),
    ("谢啦", 0.6),
    ("谢了", 0.5),
    ("太好了", 0.6),
    ("满意", 0.5),
    ("不错", 0.5),
    ("辛苦了", 0.5),
    ("很棒", 0.6),
    ("好评", 0.6),
    ("及时", 0.3),
    ("赞", 0.5),
    ("给力", 0.6),
    ("开心", 0.5),
    ("高兴", 0.5),
    ("很好", 0.5),
    ("完美", 0.6),
    ("靠谱", 0.5),
]
_ZH_NEGATIVE = [(fold(word), weight) for word, weight in _ZH_NEGATIVE]  # "！！" is "!!" after NFKC
_ZH_NEGATION = re.compile(r"(?:不|没|没有|别)$")


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: str  # negative | neutral | positive
    score: float  # -1 .. 1


def _label(score: float, margin: float) -> str:
    if score >= margin:
        return "positive"
    if score <= -margin:
        return "negative"
    return "neutral"


class SentimentAnalyzer:
    """Blocking and cheap (about 0.1 ms); construct once and share."""

    def __init__(
        self,
        *,
        margin: float = 0.2,
        use_snownlp: bool = False,
        max_chars: int = DEFAULT_LIMITS.sentiment_max_chars,
        snownlp_max_chars: int = SNOWNLP_MAX_CHARS,
    ) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader: Any = SentimentIntensityAnalyzer()
        self._emojis: dict[str, str] = self._vader.emojis
        self._margin = margin
        self._use_snownlp = use_snownlp  # off by default: slow (see above) and rarely decisive
        self._max_chars = max_chars
        self._snownlp_max_chars = snownlp_max_chars

    def analyze(self, text: str, language: str | None = None) -> Sentiment:
        """The sentiment of the first `max_chars` characters (normalized, ids masked)."""
        head = self._head(_MASK.sub(" ", fold(cut(text, self._max_chars))))
        lang = language or detect_language(head)
        score = self._zh(head) if lang == "zh" else self._en(head)
        score = max(-1.0, min(1.0, score))
        return Sentiment(_label(score, self._margin), round(score, 4))

    def _head(self, text: str) -> str:
        """The longest prefix whose text, as VADER reads it (emoji spelled out), fits `max_chars`."""
        budget = self._max_chars
        for i, ch in enumerate(text):
            budget -= len(self._emojis.get(ch, ch))
            if budget < 0:
                return text[:i]
        return text

    def _en(self, text: str) -> float:
        compound = float(self._vader.polarity_scores(text)["compound"])
        cues = sum(w for pattern, w in _EN_NEGATIVE if pattern.search(text))
        if cues < 0 and compound > 0:
            compound *= 0.3  # "thanks, but this is unacceptable"
        return compound + cues

    def _zh(self, text: str) -> float:
        score = 0.0
        hits = 0
        for word, weight in (*_ZH_NEGATIVE, *_ZH_POSITIVE):
            start = text.find(word)
            while start >= 0:
                negated = bool(_ZH_NEGATION.search(text[max(0, start - 2) : start]))
                if not (word in ("不满", "不公平", "不能接受", "不供货") or weight < 0) or not negated:
                    score += -weight if negated and weight > 0 else weight
                hits += 1
                start = text.find(word, start + len(word))
        latin = re.sub(r"[^A-Za-z' ]", " ", text).strip()
        if latin:
            score += 0.5 * float(self._vader.polarity_scores(latin)["compound"])
        if hits == 0 and not latin and self._use_snownlp:
            from snownlp import SnowNLP

            head = text[: self._snownlp_max_chars]
            s = float(SnowNLP(head).sentiments) if head.strip() else 0.5
            if s > 0.95:
                score += 0.3
            elif s < 0.02:
                score -= 0.3
        return score

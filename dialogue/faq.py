"""The knowledge base (a handbook, dialogue.handbook): its entries, and retrieval by embedding and lexical
blend."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dialogue.embedding import Embedder, EmbeddingCache, HashingEmbedder, Vectors, retrieval_view
from dialogue.errors import OpsbotError

logger = logging.getLogger(__name__)

LANGUAGES = ("en", "zh")
ANSWER_WEIGHT = 0.9  # an entry's answer text counts a little less than its example questions
# and each sentence of a longer answer a little less again (answer_rows). XQuAD-R English top-1 at
# 0.8 / 0.85 / 0.9: 0.929 / 0.929 / 0.924; the CDC FAQ's: 0.795 / 0.782 / 0.774.
SENTENCE_WEIGHT = 0.8
_WORD = re.compile(r"[^\W\u3400-\u9fff]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
# A sentence ends at . ! ? followed by a space and a capital or a digit ("e.g. this" goes on), at
# 。！？；, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|(?<=[。！？；])|\n+")
QUERY_CACHE = 256  # query vectors kept: the routing step and the action read the same message
# An entry scores its best row, moved this far towards its second-best row: an entry that two of its
# rows match is surer than one that a single row matches. On the public CDC FAQ set
# (top-1, 239 queries): 0 0.766, 0.1 0.778, 0.2 0.795, 0.3 0.791, 0.4 0.782.
SUPPORT_WEIGHT = 0.2


def _says_something(sentence: str) -> bool:
    """Three words, or five Chinese characters: not "Yes." or "是的。", which would match a bare "yes"."""
    return len(_WORD.findall(sentence)) >= 3 or len(_HAN.findall(sentence)) >= 5


def answer_rows(answer: str) -> list[tuple[str, float]]:
    """The rows an entry's answer adds to the index, with their weights: the whole answer, and each of
    its sentences (or lines) when it has several.

    A question written from an answer usually asks about one of its sentences ("who pays the freight on
    a return?" of a paragraph on returns), and an encoder's vector of the whole paragraph is an average
    of all of them. On XQuAD-R's questions against their Wikipedia paragraphs (1,190 questions, 240
    paragraphs, ../shared/data/faq_public/xquad_r), top-1 0.885 -> 0.933 in English, 0.923 -> 0.941 in
    Chinese; on the CDC FAQ's paraphrases 0.795 either way; the handbook's held-out questions rank the
    same (docs/knowledge.md).
    """
    rows = [(answer, ANSWER_WEIGHT)]
    sentences = [part.strip() for part in _SENTENCE_END.split(answer) if _says_something(part)]
    if len(sentences) > 1:
        rows += [(sentence, SENTENCE_WEIGHT) for sentence in sentences]
    return rows


class KnowledgeBaseError(OpsbotError):
    """The handbook is missing or malformed."""


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    language: str
    topic: str  # "onboarding" | "policy"
    questions: tuple[str, ...]
    answer: str
    offer: str = ""  # what the entry is about, to offer it: "our payment terms", "付款条件"
    source: str = ""  # the handbook file, relative to its folder: "en/01-payments.md"
    heading: str = ""  # the entry's heading: "Payment terms"
    title: str = ""  # the heading of its file or chapter: "Payments and invoices"

    @property
    def citation(self) -> str:
        """Where the answer comes from: "Payments and invoices › Payment terms"."""
        return " › ".join(part for part in (self.title, self.heading) if part)


@dataclass(frozen=True, slots=True)
class FaqHit:
    entry: FaqEntry
    score: float
    matched_language: str


# Share of the score that comes from lexical overlap (hashed word / character n-grams), per query
# language; the rest is the cosine of the retrieval encoder (multilingual-e5-small, centered). Tuned
# on the tuning split of bench/data/knowledge_heldout.csv (docs/knowledge.md).
DEFAULT_LEXICAL_WEIGHT: Mapping[str, float] = {"en": 0.0, "zh": 0.2}
# Share of the encoder score that comes from the English encoder (all-MiniLM-L6-v2, English entries
# only), when the knowledge base has one; the rest from the retrieval encoder. MiniLM ranks English
# paraphrases better (tune split: top-1 0.97 against 0.89 for e5).
DEFAULT_ENGLISH_WEIGHT: Mapping[str, float] = {"en": 1.0, "zh": 0.0}


class KnowledgeBase:
    """Nearest FAQ entries by a blend of embedding and lexical cosine.

    Every example question and answer is one row of a matrix, encoded once; a query is one matrix
    product, and an entry's score is the best of its rows (`np.maximum.at`).
    """

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        embedder: Embedder,
        *,
        threshold: float = 0.55,
        lexical_weight: Mapping[str, float] | None = None,
        english: Embedder | None = None,
        english_weight: Mapping[str, float] | None = None,
    ) -> None:
        """`embedder` compares texts across languages; `english`, when given, scores English queries
        against the English entries (see DEFAULT_ENGLISH_WEIGHT)."""
        self.threshold = threshold
        self._entries = list(entries)
        self._by_key = {(e.language, e.id): e for e in self._entries}
        texts: list[str] = []
        owner: list[int] = []
        weight: list[float] = []
        for index, entry in enumerate(self._entries):
            for question in entry.questions:
                texts.append(question)
                owner.append(index)
                weight.append(1.0)
            for text, row_weight in answer_rows(entry.answer):
                texts.append(text)
                owner.append(index)
                weight.append(row_weight)
        self._owner = np.asarray(owner, dtype=np.intp)
        self._weight = np.asarray(weight, dtype=np.float32)
        self._language = np.asarray([e.language for e in self._entries])
        ids = list(dict.fromkeys(e.id for e in self._entries))
        self._ids = ids
        self._id_of_entry = np.asarray([ids.index(e.id) for e in self._entries], dtype=np.intp)
        self._entries_of_id = [np.flatnonzero(self._id_of_entry == i) for i in range(len(ids))]
        self._embedder = embedder
        self._cache = EmbeddingCache(embedder, texts)
        self._lexical = HashingEmbedder()
        self._lexical_vectors = self._lexical.encode_sync(texts)
        self._lexical_only = isinstance(embedder, HashingEmbedder)  # no sentence encoder: TF-IDF alone
        self._lexical_weight = dict(DEFAULT_LEXICAL_WEIGHT if lexical_weight is None else lexical_weight)
        self._queries: OrderedDict[tuple[int, str], Vectors] = OrderedDict()
        self._english = english
        english_rows = [r for r, o in enumerate(owner) if self._entries[o].language == "en"]
        self._english_rows = np.asarray(english_rows, dtype=np.intp)
        self._english_cache = (
            EmbeddingCache(english, [texts[r] for r in english_rows]) if english is not None else None
        )
        self._english_weight = dict(DEFAULT_ENGLISH_WEIGHT if english_weight is None else english_weight)

    def adopt(self, other: KnowledgeBase) -> None:
        """Answer from `other`'s entries and vectors from now on (a new handbook sync), in one step."""
        self.__dict__.update(other.__dict__)

    @property
    def semantic(self) -> bool:
        """Scores come from a sentence encoder (else from word overlap alone)."""
        return not self._lexical_only

    @property
    def entries(self) -> list[FaqEntry]:
        return self._entries

    def entry(self, entry_id: str, language: str) -> FaqEntry | None:
        """The entry `entry_id` in `language`, else in the other language (None: no such entry)."""
        found = self._by_key.get((language, entry_id))
        if found is not None:
            return found
        return next((e for e in self._entries if e.id == entry_id), None)

    async def warm(self) -> None:
        """Encode the entries now (at start-up), not on the first question."""
        await self._cache.vectors()
        if self._english_cache is not None:
            await self._english_cache.vectors()

    async def entry_scores(
        self, text: str, query_language: str, *, lexical_weight: float | None = None
    ) -> npt.NDArray[np.float32]:
        """One score per entry (both languages); the blend weight follows the query language."""
        if not self._entries:
            return np.zeros(0, dtype=np.float32)
        sims = self._lexical_vectors @ self._lexical.encode_sync([text])[0]
        if self._lexical_only:
            lex_weight = 1.0
        elif lexical_weight is not None:
            lex_weight = lexical_weight
        else:
            lex_weight = self._lexical_weight.get(query_language, 0.0)
        if lex_weight < 1.0:
            sims = (1 - lex_weight) * await self._encoder_sims(text, query_language) + lex_weight * sims
        sims = sims * self._weight
        best = np.full(len(self._entries), -np.inf, dtype=np.float32)
        np.maximum.at(best, self._owner, sims)
        if SUPPORT_WEIGHT <= 0.0:
            return best
        # The second-best row of each entry: mask each entry's best row, then the max again.
        first = sims >= best[self._owner]
        second = np.full(len(self._entries), -np.inf, dtype=np.float32)
        np.maximum.at(second, self._owner, np.where(first, -np.inf, sims).astype(np.float32))
        second = np.where(np.isfinite(second), second, best)
        return (best + SUPPORT_WEIGHT * (second - best)).astype(np.float32)

    async def rank(self, text: str, language: str, *, query_language: str | None = None) -> list[FaqHit]:
        """Entries of `language`, best first, with their scores (blend weights follow the query language)."""
        scores = await self.entry_scores(text, query_language or language)
        own = np.flatnonzero(self._language == language)
        order = own[np.argsort(-scores[own], kind="stable")]
        return [FaqHit(self._entries[i], float(scores[i]), language) for i in order]

    def ranked_ids(self, scores: npt.NDArray[np.float32], language: str) -> tuple[str, ...]:
        """Entry ids of `language` by `scores` (from `entry_scores`), best first."""
        own = np.flatnonzero(self._language == language)
        return tuple(self._entries[i].id for i in own[np.argsort(-scores[own], kind="stable")])

    async def search(self, text: str, language: str, *, k: int = 2) -> tuple[FaqHit, ...]:
        """The `k` best distinct entries in any language, each given in `language` where it exists."""
        return self.top(await self.entry_scores(text, language), language, k=k)

    def top(self, scores: npt.NDArray[np.float32], language: str, *, k: int) -> tuple[FaqHit, ...]:
        """The `k` best distinct entry ids by `scores` (an id scores its best language)."""
        if not len(scores):
            return ()
        per_id = np.full(len(self._ids), -np.inf, dtype=np.float32)
        np.maximum.at(per_id, self._id_of_entry, scores)
        hits: list[FaqHit] = []
        for id_index in np.argsort(-per_id, kind="stable")[:k]:
            rows = self._entries_of_id[int(id_index)]
            matched = self._entries[int(rows[int(np.argmax(scores[rows]))])]
            local = self.entry(matched.id, language) or matched
            hits.append(FaqHit(local, float(per_id[id_index]), matched.language))
        return tuple(hits)

    async def answer(self, text: str, language: str) -> FaqHit | None:
        """Best entry above the threshold, in the user's language where the entry has one."""
        hits = await self.search(text, language, k=1)
        if hits and hits[0].score >= self.threshold:
            logger.debug("faq hit %s (%.3f)", hits[0].entry.id, hits[0].score)
            return hits[0]
        return None

    async def _encoder_sims(self, text: str, query_language: str) -> npt.NDArray[np.float32]:
        english = self._english_weight.get(query_language, 0.0) if self._english_cache is not None else 0.0
        sims = np.zeros(len(self._weight), dtype=np.float32)
        if english < 1.0:
            vectors = await self._cache.vectors()
            sims = (1 - english) * (vectors @ await self._query_vector(self._embedder, text))
        if english > 0.0 and self._english is not None and self._english_cache is not None:
            rows = await self._english_cache.vectors()
            own = rows @ await self._query_vector(self._english, text)
            sims[self._english_rows] += english * own
        return sims

    async def _query_vector(self, embedder: Embedder, text: str) -> Vectors:
        key = (id(embedder), text)
        cached = self._queries.get(key)
        if cached is None:
            cached = np.asarray(await embedder.encode([text]), dtype=np.float32)[0]
            self._queries[key] = cached
            if len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        else:
            self._queries.move_to_end(key)
        return cached


def knowledge_base(entries: Sequence[FaqEntry], embedder: Embedder, *, threshold: float) -> KnowledgeBase:
    """A knowledge base on `embedder`'s retrieval view, and on `embedder` itself for English queries
    when it has a retrieval view of its own (nlu.encoder.BatchedEncoder: MiniLM for English)."""
    retrieval = retrieval_view(embedder)
    english = embedder if retrieval is not embedder else None
    return KnowledgeBase(entries, retrieval, threshold=threshold, english=english)

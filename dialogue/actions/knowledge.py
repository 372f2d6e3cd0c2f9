"""onboarding and policy_question: answers from the FAQ knowledge base by embedding retrieval."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.common import yes_no_buttons
from dialogue.embedding import Embedder, EmbeddingCache, HashingEmbedder
from dialogue.errors import OpsbotError

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LANGUAGES = ("en", "zh")
ANSWER_WEIGHT = 0.9  # an entry's answer text counts a little less than its example questions


class KnowledgeBaseError(OpsbotError):
    """The FAQ files are missing or malformed."""


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    language: str
    topic: str  # "onboarding" | "policy"
    questions: tuple[str, ...]
    answer: str


@dataclass(frozen=True, slots=True)
class FaqHit:
    entry: FaqEntry
    score: float
    matched_language: str


def load_faq(data_dir: str | Path = DATA_DIR) -> list[FaqEntry]:
    """Read faq_en.yml and faq_zh.yml."""
    entries: list[FaqEntry] = []
    for lang in LANGUAGES:
        path = Path(data_dir) / f"faq_{lang}.yml"
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise KnowledgeBaseError(f"{path}: {exc}") from exc
        if not isinstance(raw, list):
            raise KnowledgeBaseError(f"{path}: expected a list of entries")
        for i, item in enumerate(raw):
            if not isinstance(item, dict) or not item.get("id") or not item.get("answer"):
                raise KnowledgeBaseError(f"{path}: entry {i} needs an id and an answer")
            questions = item.get("questions") or []
            if not isinstance(questions, list) or not questions:
                raise KnowledgeBaseError(f"{path}: entry {item['id']} needs example questions")
            entries.append(
                FaqEntry(
                    id=str(item["id"]),
                    language=lang,
                    topic=str(item.get("topic", "policy")),
                    questions=tuple(str(q) for q in questions),
                    answer=str(item["answer"]).strip(),
                )
            )
    return entries


# Share of the score that comes from lexical overlap (hashed word / character n-grams), per language.
# Set when the encoder was all-MiniLM-L6-v2, whose Chinese vectors are near-random; retrieval now uses
# multilingual-e5-small (centered: unrelated texts score near zero, as with MiniLM), and the weights are
# kept until FAQ retrieval has a benchmark of its own to tune them on.
DEFAULT_LEXICAL_WEIGHT: Mapping[str, float] = {"en": 0.3, "zh": 0.8}


class KnowledgeBase:
    """Nearest FAQ entry by a blend of embedding and lexical cosine; entry vectors are computed once."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        embedder: Embedder,
        *,
        threshold: float = 0.55,
        lexical_weight: Mapping[str, float] | None = None,
    ) -> None:
        self.threshold = threshold
        self._entries = list(entries)
        self._by_key = {(e.language, e.id): e for e in self._entries}
        texts: list[str] = []
        self._owner: list[int] = []
        self._weight: list[float] = []
        for index, entry in enumerate(self._entries):
            for question in entry.questions:
                texts.append(question)
                self._owner.append(index)
                self._weight.append(1.0)
            texts.append(entry.answer)
            self._owner.append(index)
            self._weight.append(ANSWER_WEIGHT)
        self._embedder = embedder
        self._cache = EmbeddingCache(embedder, texts)
        self._lexical = HashingEmbedder()
        self._lexical_vectors = self._lexical.encode_sync(texts)
        self._lexical_only = isinstance(embedder, HashingEmbedder)  # no sentence encoder: TF-IDF alone
        self._lexical_weight = dict(DEFAULT_LEXICAL_WEIGHT if lexical_weight is None else lexical_weight)

    @property
    def entries(self) -> list[FaqEntry]:
        return self._entries

    async def warm(self) -> None:
        """Encode the entries now (at start-up), not on the first question."""
        await self._cache.vectors()

    async def rank(self, text: str, language: str, *, query_language: str | None = None) -> list[FaqHit]:
        """Entries of `language`, best first, with their scores (blend weights follow the query language)."""
        if not self._entries:
            return []
        lexical = self._lexical_vectors @ self._lexical.encode_sync([text])[0]
        lex_weight = 1.0 if self._lexical_only else self._lexical_weight.get(query_language or language, 0.0)
        sims = lexical
        if lex_weight < 1.0:
            vectors = await self._cache.vectors()
            query = np.asarray(await self._embedder.encode([text]), dtype=np.float32)[0]
            sims = (1 - lex_weight) * (vectors @ query) + lex_weight * lexical
        sims = sims * np.asarray(self._weight, dtype=np.float32)
        best: dict[int, float] = {}
        for row, owner in enumerate(self._owner):
            if self._entries[owner].language != language:
                continue
            score = float(sims[row])
            if score > best.get(owner, -1.0):
                best[owner] = score
        ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
        return [FaqHit(self._entries[i], score, language) for i, score in ranked]

    async def answer(self, text: str, language: str) -> FaqHit | None:
        """Best entry above the threshold, searched in the user's language first, then the other one."""
        order = [language] + [lang for lang in LANGUAGES if lang != language]
        for lang in order:
            ranked = await self.rank(text, lang, query_language=language)
            if ranked and ranked[0].score >= self.threshold:
                hit = ranked[0]
                local = self._by_key.get((language, hit.entry.id), hit.entry)
                logger.debug("faq hit %s (%.3f, searched %s)", hit.entry.id, hit.score, lang)
                return FaqHit(local, hit.score, lang)
        return None


def make_faq_action(kb: KnowledgeBase) -> Action:
    async def faq(ctx: TurnContext) -> list[Reply]:
        hit = await kb.answer(ctx.message.text, ctx.language)
        if hit is None:
            ctx.session.active_form = "offer_human"  # basic.offer_human_form takes the yes/no
            return [Reply("faq_unknown", buttons=yes_no_buttons(ctx.language))]
        ctx.session.state["last_faq"] = hit.entry.id
        return [Reply("faq_answer", {"answer": hit.entry.answer})]

    return faq

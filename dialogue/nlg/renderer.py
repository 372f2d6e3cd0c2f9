"""The reply renderer: model (optional) -> grounding check -> lexicalization, with template fallback."""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialogue.nlg.cache import LruCache
from dialogue.nlg.catalog import LANGUAGES, PRODUCT_OUTCOME, Catalog, Outcome, realise
from dialogue.nlg.corpus import ProductTables, load_corpus, model_input
from dialogue.nlg.grounding import CheckResult, GroundingChecker, OutcomeConsistency
from dialogue.nlg.lexicalize import PRODUCT_ATTRIBUTES, Lexicalizer
from dialogue.nlg.listing import listing_reply
from dialogue.nlg.model import Generator
from dialogue.nlg.prefill import ReplyInput, prefill, reply_inputs
from dialogue.nlg.settings import NlgSettings
from dialogue.nlg.training import DEFAULT_MAX_VARIANTS, saved_hash, saved_meta
from dialogue.nlg.types import FactValue, RenderedReply
from nlu.batching import MicroBatcher

log = logging.getLogger(__name__)

DRAFT_LABEL = {"en": "Draft (for review)\n", "zh": "草稿（待审核）\n"}


@dataclass(frozen=True, slots=True)
class FallbackEvent:
    """One rejected model output (or a failed model call) that was replaced by a template."""

    outcome: str
    language: str
    reason: str

    @property
    def kind(self) -> str:
        return self.reason.split(":", 1)[0]


FallbackCallback = Callable[[FallbackEvent], None]


@dataclass(frozen=True, slots=True)
class _CachedOutput:
    delexicalized: str
    check: CheckResult


CacheKey = tuple[str, tuple[str, ...], str, int]


RETRY_PHRASINGS = 3  # phrasings tried for one reply before its template is used


def model_attempts(
    spec: Outcome, present: tuple[str, ...], language: str, variant: int, variants: int = 1
) -> list[tuple[str, bool]]:
    """The model inputs to try in turn for one reply, each with whether it asks for every fact.

    First the facts given, in the chosen phrasing, then in the next two (when there are more).
    Then, when some optional facts are absent, the same with every fact of the outcome: the model
    marks each optional clause as a {segment}, and `realise` drops the clauses whose facts are
    absent. This is how a reply for a fact combination the model never learnt ("Hello!" without a
    name) is composed from one it did learn. A reply that passes the check ends the search.
    """
    phrasings = list(dict.fromkeys((variant + k) % max(1, variants) for k in range(RETRY_PHRASINGS)))
    attempts = [(model_input(spec.name, present, language, v), False) for v in phrasings]
    if present != spec.facts:
        attempts += [(model_input(spec.name, spec.facts, language, v), True) for v in phrasings]
    return attempts


def normalize_language(language: str) -> str:
    """'zh-CN', 'zh_Hans', 'ZH' -> 'zh'; anything not supported -> 'en'."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else "en"


def _given(facts: Mapping[str, FactValue]) -> set[str]:
    return {k for k, v in facts.items() if v is not None and not (isinstance(v, str) and not v.strip())}


class NlgRenderer:
    """Implements dialogue.nlg.types.ReplyRenderer.

    With a model: the delexicalized reply comes from the model (through the LRU cache and the
    micro-batcher), is checked, then lexicalized; a rejected reply falls back to the outcome's
    template and is counted. Without a model it renders templates only (used_fallback=False).
    The model input is (outcome, fact keys, language, variant). The user's text only picks the
    phrasing variant (a stable hash modulo the number of trained phrasings), so replies vary across
    messages yet the input still determines the output: the cache key is (outcome, fact keys,
    language, variant) and never holds user text.
    """

    def __init__(
        self,
        *,
        catalog: Catalog,
        lexicalizer: Lexicalizer,
        checker: GroundingChecker,
        model: Generator | None = None,
        cache: LruCache[CacheKey, _CachedOutput] | None = None,
        batcher: MicroBatcher[str, str] | None = None,
        executor: Executor | None = None,
        on_fallback: FallbackCallback | None = None,
        registry: Any = None,
        variant_counts: Mapping[tuple[str, str], int] | None = None,
        products: ProductTables | None = None,
    ) -> None:
        self.catalog = catalog
        self.products = products
        self.variant_counts: Mapping[tuple[str, str], int] = variant_counts or {}
        self.lexicalizer = lexicalizer
        self.checker = checker
        self.model = model
        self.cache: LruCache[CacheKey, _CachedOutput] = cache if cache is not None else LruCache(0)
        self.batcher = batcher
        self._executor = executor
        self._owns_executor = False
        self._callbacks: list[FallbackCallback] = [on_fallback] if on_fallback else []
        self.fallback_counts: Counter[tuple[str, str, str]] = Counter()  # (outcome, language, kind)
        self.model_calls = 0
        if registry is not None:
            self._callbacks.append(_prometheus_counter(registry))

    async def render(
        self,
        outcome: str,
        facts: Mapping[str, FactValue],
        *,
        language: str,
        user_text: str = "",
    ) -> RenderedReply:
        language = normalize_language(language)
        return await self._render(
            outcome, facts, language, draft=False, variant=self._variant(outcome, language, user_text)
        )

    def _variant(self, outcome: str, language: str, user_text: str) -> int:
        count = self.variant_counts.get((outcome, language), 1)
        text = " ".join(user_text.lower().split())
        return zlib.crc32(text.encode()) % count if text and count > 1 else 0

    async def describe_product(self, attributes: Mapping[str, str], *, language: str) -> RenderedReply:
        """A draft listing (dialogue.nlg.listing), composed from the attributes alone: grounded by
        construction; without a name, the outcome's template says what is known."""
        language = normalize_language(language)
        listing = listing_reply(attributes, language, self.products, label=DRAFT_LABEL[language])
        if listing is not None:
            return listing
        facts = {k: v for k, v in attributes.items() if k in PRODUCT_ATTRIBUTES and str(v).strip()}
        return await self._render(PRODUCT_OUTCOME, facts, language, draft=True, variant=0)

    async def _render(
        self, outcome: str, facts: Mapping[str, FactValue], language: str, *, draft: bool, variant: int
    ) -> RenderedReply:
        spec = self.catalog.get(outcome)
        given = _given(facts)
        present = spec.present_facts(given)
        missing = [name for name in spec.required if name not in given]
        if missing:
            reason = f"missing_fact:{missing[0]}"
            log.warning("outcome %s rendered without required facts %s", outcome, missing)
            self._count(outcome, language, reason)
            filled = {**{m: "—" for m in missing}, **facts}
            return self._reply(
                outcome,
                language,
                self.catalog.fallback(outcome, language, present + tuple(missing)),
                filled,
                fallback=True,
                reason=reason,
                source="template",
                draft=draft,
            )
        if self.model is None or spec.template_only:
            template = self.catalog.fallback(outcome, language, present)
            return self._reply(
                outcome, language, template, facts, fallback=False, reason="", source="template", draft=draft
            )
        key: CacheKey = (outcome, present, language, variant)
        cached = self.cache.get(key)
        source = "cache"
        if cached is None:
            source = "model"
            try:
                cached = await self._model_reply(spec, present, language, variant)
            except Exception:
                log.exception("reply model failed for outcome %s", outcome)
                reason = "model_error"
                self._count(outcome, language, reason)
                return self._reply(
                    outcome,
                    language,
                    self.catalog.fallback(outcome, language, present),
                    facts,
                    fallback=True,
                    reason=reason,
                    source="template",
                    draft=draft,
                )
            self.cache.put(key, cached)
        if not cached.check.ok:
            self._count(outcome, language, cached.check.reason)
            return self._reply(
                outcome,
                language,
                self.catalog.fallback(outcome, language, present),
                facts,
                fallback=True,
                reason=cached.check.reason,
                source="template",
                draft=draft,
            )
        return self._reply(
            outcome,
            language,
            cached.delexicalized,
            facts,
            fallback=False,
            reason="",
            source=source,
            draft=draft,
        )

    async def _model_reply(
        self, spec: Outcome, present: tuple[str, ...], language: str, variant: int
    ) -> _CachedOutput:
        """The first model reply (in the order of `model_attempts`) that passes the check, else the
        first one. The retries go out together, so a rejected reply costs one more round, not three."""
        variants = self.variant_counts.get((spec.name, language), 1)
        attempts = [text for text, _ in model_attempts(spec, present, language, variant, variants)]

        async def attempt(text: str) -> _CachedOutput:
            delex = realise(await self._generate(text), present)
            return _CachedOutput(delex, self.checker.check(spec.name, delex, present, language))

        first = await attempt(attempts[0])
        if first.check.ok or len(attempts) == 1:
            return first
        retried = await asyncio.gather(*(attempt(text) for text in attempts[1:]))
        return next((r for r in retried if r.check.ok), first)

    async def _generate(self, text: str) -> str:
        assert self.model is not None
        self.model_calls += 1
        if self.batcher is not None:
            return await self.batcher.submit(text)
        loop = asyncio.get_running_loop()
        outputs = await loop.run_in_executor(self._executor, self.model.generate, [text])
        return outputs[0]

    def _reply(
        self,
        outcome: str,
        language: str,
        delexicalized: str,
        facts: Mapping[str, FactValue],
        *,
        fallback: bool,
        reason: str,
        source: str,
        draft: bool,
    ) -> RenderedReply:
        text = self.lexicalizer.fill(delexicalized, facts, language)
        if draft:
            text = DRAFT_LABEL[language] + text
        return RenderedReply(
            text=text,
            outcome=outcome,
            language=language,
            delexicalized=delexicalized,
            used_fallback=fallback,
            fallback_reason=reason,
            source=source,
            is_draft=draft,
        )

    def _count(self, outcome: str, language: str, reason: str) -> None:
        event = FallbackEvent(outcome, language, reason)
        self.fallback_counts[(outcome, language, event.kind)] += 1
        for callback in self._callbacks:
            try:
                callback(event)
            except Exception:
                log.exception("fallback callback failed")

    async def decode_ahead(self, quiet: Callable[[], Awaitable[None]] | None = None) -> int:
        """Decode every reply the catalog can ask the model for into the cache, a few at a time, each
        few once `quiet` returns (dialogue.nlg.prefill); returns how many were decoded."""
        if self.model is None or self.cache.maxsize == 0:
            return 0
        inputs = list(reply_inputs(self.catalog, self.variant_counts))[: self.cache.maxsize]
        return await prefill(inputs, self._decode_ahead, quiet=quiet)

    async def _decode_ahead(self, inputs: list[ReplyInput]) -> int:
        todo = [i for i in inputs if (i.outcome, i.facts, i.language, i.variant) not in self.cache]
        outputs = await asyncio.gather(
            *(self._model_reply(self.catalog.get(i.outcome), i.facts, i.language, i.variant) for i in todo)
        )
        for i, output in zip(todo, outputs, strict=True):
            self.cache.put((i.outcome, i.facts, i.language, i.variant), output)
        return len(todo)

    async def aclose(self) -> None:
        """Stop the batcher and the executor this renderer created; idempotent."""
        if self.batcher is not None:
            await self.batcher.aclose()
        if self._owns_executor and isinstance(self._executor, ThreadPoolExecutor):
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._owns_executor = False


def _prometheus_counter(registry: Any) -> FallbackCallback:
    """A Counter registered in the given registry only (never the global one)."""
    from prometheus_client import Counter as PromCounter

    counter = PromCounter(
        "opsbot_nlg_fallbacks",
        "Replies whose model output was rejected and replaced by a template",
        ["outcome", "language", "reason"],
        registry=registry,
    )

    def record(event: FallbackEvent) -> None:
        counter.labels(event.outcome, event.language, event.kind).inc()

    return record


def build_renderer(
    *,
    data_dir: str | Path,
    model: Generator | None,
    cache_size: int = 2048,
    batch_max_wait_ms: float = 5.0,
    batch_max_size: int = 32,
    executor: Executor | None = None,
    on_fallback: FallbackCallback | None = None,
    registry: Any = None,
    max_variants: int = DEFAULT_MAX_VARIANTS,
) -> NlgRenderer:
    """Wire catalog, lexicalizer, checker, cache and batcher around a model (or None: templates)."""
    corpus = load_corpus(data_dir, max_variants=max_variants)
    owns = executor is None and model is not None
    if owns:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlg")
    batcher = None
    if model is not None:
        batcher = MicroBatcher[str, str](
            model.generate,
            max_wait_ms=batch_max_wait_ms,
            max_size=batch_max_size,
            executor=executor,
            dedupe=True,
        )
    renderer = NlgRenderer(
        catalog=corpus.catalog,
        lexicalizer=Lexicalizer(corpus.catalog, corpus.products),
        checker=GroundingChecker(
            corpus.catalog, consistency=OutcomeConsistency(corpus.variants, skip=[PRODUCT_OUTCOME])
        ),
        model=model,
        cache=LruCache(cache_size),
        batcher=batcher,
        executor=executor,
        on_fallback=on_fallback,
        registry=registry,
        variant_counts={key: corpus.trained_variants(*key) for key in corpus.variants},
        products=corpus.products,
    )
    renderer._owns_executor = owns
    return renderer


def load_reply_model(settings: NlgSettings) -> Generator | None:
    """The configured checkpoint, else the trained one in model_dir, else None (templates only)."""
    from dialogue.nlg.model import ReplyModel

    if not settings.enabled:
        return None
    path = Path(settings.model) if settings.model else Path(settings.model_dir)
    if settings.threads:
        import torch

        torch.set_num_threads(settings.threads)  # the process's intra-op threads: new threads inherit it
    if not settings.model and saved_hash(path) is None:
        log.warning("no trained reply model in %s; replies use templates (run `opsbot train replies`)", path)
        return None
    return ReplyModel.from_pretrained(
        path,
        num_beams=settings.num_beams,
        max_new_tokens=settings.max_new_tokens,
        min_token_prob=settings.min_token_prob,
    )


def load_renderer(
    settings: NlgSettings,
    *,
    on_fallback: FallbackCallback | None = None,
    registry: Any = None,
    model: Generator | None = None,
) -> NlgRenderer:
    """Build the renderer from settings.nlg (blocking: loads the model; call it at start-up)."""
    loaded = model if model is not None else load_reply_model(settings)
    trained_with = saved_meta(settings.model_dir).get("max_variants") if not settings.model else None
    return build_renderer(
        max_variants=int(trained_with) if isinstance(trained_with, int) else DEFAULT_MAX_VARIANTS,
        data_dir=settings.data_dir,
        model=loaded,
        cache_size=settings.cache_size,
        batch_max_wait_ms=settings.batch_max_wait_ms,
        batch_max_size=settings.batch_max_size,
        on_fallback=on_fallback,
        registry=registry,
    )

"""The trained models: train what is missing or stale, and load them for the running bot."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from dialogue.actions.base import ActionTable
from dialogue.embedding import Embedder
from dialogue.faq import KnowledgeBase
from dialogue.nlg.settings import NlgSettings
from dialogue.nlg.types import ReplyRenderer
from dialogue.routing import KnowledgeThresholds
from dialogue.settings import DialogueSettings, KnowledgeSettings
from nlu.gazetteer import IdLookup
from nlu.settings import NluSettings
from nlu.types import NameLookup, NluResult, Parser

logger = logging.getLogger(__name__)


@runtime_checkable
class RefreshesIds(Protocol):
    """A name lookup that can see new ids in the store (bot.storage.backend.SqlBackend)."""

    async def refresh_ids_if_changed(self) -> bool: ...


class FreshIdsParser:
    """Parses after checking, at most every `every_seconds`, that no import or push brought new ids.

    `opsbot import` runs in another process: the first turn after it (past the interval) reads the
    ids again, so a new order id is known without a restart.
    """

    def __init__(
        self,
        parser: Parser,
        ids: RefreshesIds,
        *,
        every_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._parser = parser
        self._ids = ids
        self._every = every_seconds
        self._monotonic = monotonic
        self._checked: float | None = None

    async def parse(self, text: str) -> NluResult:
        now = self._monotonic()
        if self._checked is None or now - self._checked >= self._every:
            self._checked = now
            try:
                await self._ids.refresh_ids_if_changed()
            except Exception:  # the store is down: the turn goes on with the ids it has
                logger.exception("could not check the store for new ids")
        return await self._parser.parse(text)

    async def aclose(self) -> None:
        close = getattr(self._parser, "aclose", None)
        if close is not None:
            await close()


def fresh_ids(
    parser: Parser,
    names: object,
    *,
    every_seconds: float,
    monotonic: Callable[[], float] = time.monotonic,
) -> Parser:
    """`parser`, kept up to date with the store's ids when `names` can refresh them."""
    if isinstance(names, RefreshesIds):
        return FreshIdsParser(parser, names, every_seconds=every_seconds, monotonic=monotonic)
    return parser


LateWarmUp = Callable[[Callable[[], Awaitable[None]]], Awaitable[object]]  # given `quiet` (see Models)


@dataclass(frozen=True, slots=True)
class Models:
    """What the dialogue manager runs: the parser (built once names can be looked up), renderer, actions."""

    make_parser: Callable[[NameLookup], Parser]
    renderer: ReplyRenderer
    actions: ActionTable
    closables: tuple[Any, ...] = ()  # parts with an `aclose()` (batching threads), closed at stop
    # Each model's first call (torch's first pass is slow), made before the process reports ready.
    warm_ups: tuple[Callable[[], Awaitable[object]], ...] = field(default=())
    # Made once the process serves, after the actions' indexes and before /healthz says "warm": work a
    # first answer does not wait for (every reply of the reply model, decoded in advance). Each is given
    # `quiet`, which returns when the process has no message in hand: it works in the idle time.
    late_warm_ups: tuple[LateWarmUp, ...] = field(default=())

    async def aclose(self) -> None:
        for part in (*self.closables, self.renderer):
            close = getattr(part, "aclose", None)
            if close is not None:
                await close()


async def warm_models(models: Models) -> float:
    """The models' first calls, then the actions' indexes (knowledge, industries): what the first
    answer of each kind would otherwise wait for. Returns the seconds it took."""
    started = time.monotonic()

    async def one(warm: Callable[[], Awaitable[object]]) -> None:
        try:
            await warm()
        except Exception:
            logger.exception("warming up %s failed; it is done on first use", warm)

    # together: they wait on different threads (each encoder's, the reply model's) and processes
    await asyncio.gather(*(one(warm) for warm in (*models.warm_ups, *models.actions.warm_ups)))
    seconds = time.monotonic() - started
    logger.info("models and indexes warmed up in %.1fs", seconds)
    return seconds


class _WebRole:
    """The parser and renderer of a `--role web` process: never called (it runs no turn)."""

    async def parse(self, text: str) -> NluResult:
        raise RuntimeError("a --role web process understands no message: workers do")

    async def render(self, outcome: str, facts: Any, *, language: str, user_text: str = "") -> Any:
        raise RuntimeError("a --role web process renders no reply: workers do")

    async def describe_product(self, attributes: Any, *, language: str) -> Any:
        raise RuntimeError("a --role web process renders no reply: workers do")


def web_role_models() -> Models:
    """What a `--role web` process holds: no model (no torch, no encoder). It stores and acknowledges;
    workers answer."""
    web = _WebRole()
    return Models(make_parser=lambda _names: web, renderer=web, actions=ActionTable())


def chart_offload() -> Any:
    """Charts drawn in a process of their own (dialogue.analytics.render_pool), installed for the actions."""
    from dialogue.analytics.charts import use_offload
    from dialogue.analytics.render_pool import ProcessOffload

    offload = ProcessOffload(warm_modules=("dialogue.analytics.charts",))
    use_offload(offload)
    return offload


def first_calls(
    encoder: Any, renderer: ReplyRenderer, offload: Any
) -> tuple[Callable[[], Awaitable[object]], ...]:
    """Warm-ups for `Models.warm_ups`: both encoders on EN and ZH, the reply model in both languages,
    the rendering process started."""

    async def encoders() -> None:
        texts = ["where is my order PO-1001?", "我的订单 PO-1001 到哪了？"]
        await encoder.encode(texts)
        await encoder.retrieval().encode(texts)

    async def replies() -> None:
        for language in ("en", "zh"):
            await renderer.render("greeting", {}, language=language, user_text="hi")

    return (encoders, replies, offload.warm)


def ensure_models(
    nlu: NluSettings, nlg: NlgSettings, *, force: bool = False, progress: bool = True
) -> list[str]:
    """Train the models that are missing or whose training data changed (all of them with force)."""
    from dialogue.nlg.training import ensure_trained as ensure_replies
    from dialogue.nlg.training import training_args
    from nlu.train import ensure_trained_for, train_model_for

    trained: list[str] = []
    if force:
        train_model_for(nlu, progress=progress)
        trained.append("nlu")
    elif ensure_trained_for(nlu, progress=progress):
        trained.append("nlu")
    if nlg.enabled and not nlg.model and ensure_replies(training_args(nlg), progress=progress, force=force):
        trained.append("replies")
    return trained


def knowledge_thresholds(dialogue: DialogueSettings) -> KnowledgeThresholds:
    """The routing thresholds of the `dialogue:` settings (faq_threshold is the answer threshold)."""
    return KnowledgeThresholds(answer=dialogue.faq_threshold, **dialogue.knowledge.model_dump())


def encoder_key(nlu: NluSettings) -> str:
    """Which encoders make the knowledge vectors: stored vectors are reused while this is unchanged."""
    return f"{nlu.encoder or 'minilm'}|{nlu.multilingual}|{nlu.runtime}"


def handbook_knowledge_base(
    knowledge: KnowledgeSettings, embedder: Embedder, *, encoder: str, threshold: float
) -> tuple[KnowledgeBase, Callable[[], Any] | None]:
    """The knowledge base on the synced handbook (else on the configured folder, read now), and the
    refresh that adopts a newer sync at the next turn (None when `knowledge.reload` is off)."""
    from dialogue.handbook import DEMO_HANDBOOK, read_handbook
    from dialogue.handbook_store import HandbookReloader, build_knowledge_base, load_synced

    folder = knowledge.dir or DEMO_HANDBOOK
    synced = load_synced(knowledge.store, encoder=encoder)
    if synced is None:
        logger.warning("handbook not synced: reading %s (run `opsbot knowledge sync`)", folder)
        entries = read_handbook(folder, level=knowledge.heading_level).entries
        kb = build_knowledge_base(entries, embedder, threshold=threshold)
        version = ""
    else:
        if synced.folder != str(folder):
            logger.warning("the synced handbook is from %s, knowledge.dir is %s: run `opsbot knowledge sync`",
                           synced.folder, folder)  # fmt: skip
        kb = build_knowledge_base(synced.entries, embedder, threshold=threshold, vectors=synced.vectors)
        version = synced.version
        logger.info("handbook %s: %d entries", version, len(synced.entries))
    if not knowledge.reload:
        return kb, None
    reloader = HandbookReloader(kb, knowledge.store, embedder, encoder=encoder, version=version)
    return kb, reloader.refresh


def load_models(
    nlu: NluSettings,
    nlg: NlgSettings,
    dialogue: DialogueSettings,
    knowledge: KnowledgeSettings | None = None,
) -> Models:
    """Load the shared encoder once; the parser and the actions (FAQ, industries, recommendations) use it."""
    from dialogue.actions.registry import default_actions
    from dialogue.nlg.renderer import load_renderer
    from nlu.encoder import BatchedEncoder, load_encoder
    from nlu.native_threads import limit_blas_threads
    from nlu.parser import load_parser_for

    limit_blas_threads(nlu.threads)  # numpy's scoring and ranking: no pool of spinning BLAS threads
    encoder = BatchedEncoder(
        load_encoder(nlu.encoder, runtime=nlu.runtime, multilingual=nlu.multilingual, threads=nlu.threads),
        max_wait_ms=nlu.batch_max_wait_ms,
        max_size=nlu.batch_max_size,
    )

    def make_parser(names: NameLookup) -> Parser:
        ids = names if isinstance(names, IdLookup) else None
        parser = load_parser_for(nlu, encoder=encoder, name_lookup=names, id_lookup=ids)
        return fresh_ids(parser, names, every_seconds=nlu.id_refresh_seconds)

    thresholds = knowledge_thresholds(dialogue)
    kb, refresh = handbook_knowledge_base(
        knowledge or KnowledgeSettings(), encoder, encoder=encoder_key(nlu), threshold=thresholds.answer
    )
    actions = default_actions(
        embedder=encoder,
        kb=kb,
        refresh_knowledge=refresh,
        knowledge=thresholds,
        max_invoices_listed=dialogue.max_invoices_listed,
        reorder_lead_time_days=dialogue.reorder_lead_time_days,
    )
    renderer = load_renderer(nlg)
    offload = chart_offload()
    return Models(
        make_parser=make_parser,
        renderer=renderer,
        actions=actions,
        closables=(encoder, _Closing(offload)),
        warm_ups=first_calls(encoder, renderer, offload),
        late_warm_ups=(renderer.decode_ahead,),
    )


class _Closing:
    """An `aclose()` for a part that closes synchronously."""

    def __init__(self, part: Any) -> None:
        self._part = part

    async def aclose(self) -> None:
        self._part.close()

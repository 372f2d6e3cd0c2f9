"""The trained models: train what is missing or stale, and load them for the running bot."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dialogue.actions.base import ActionTable
from dialogue.nlg.settings import NlgSettings
from dialogue.nlg.types import ReplyRenderer
from dialogue.routing import KnowledgeThresholds
from dialogue.settings import DialogueSettings
from nlu.settings import NluSettings
from nlu.types import NameLookup, Parser

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Models:
    """What the dialogue manager runs: the parser (built once names can be looked up), renderer, actions."""

    make_parser: Callable[[NameLookup], Parser]
    renderer: ReplyRenderer
    actions: ActionTable
    closables: tuple[Any, ...] = ()  # parts with an `aclose()` (batching threads), closed at stop

    async def aclose(self) -> None:
        for part in (*self.closables, self.renderer):
            close = getattr(part, "aclose", None)
            if close is not None:
                await close()


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


def load_models(nlu: NluSettings, nlg: NlgSettings, dialogue: DialogueSettings) -> Models:
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
        return load_parser_for(nlu, encoder=encoder, name_lookup=names)

    actions = default_actions(
        embedder=encoder,
        knowledge=knowledge_thresholds(dialogue),
        max_invoices_listed=dialogue.max_invoices_listed,
        reorder_lead_time_days=dialogue.reorder_lead_time_days,
    )
    return Models(make_parser=make_parser, renderer=load_renderer(nlg), actions=actions, closables=(encoder,))

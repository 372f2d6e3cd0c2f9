"""Training and loading of the real models, and the adapters enabled by the environment."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.config import AppConfig
from dialogue.manager import ActionTable
from dialogue.nlg.types import ReplyRenderer
from nlu.types import NameLookup, Parser

if TYPE_CHECKING:
    from adapters.base import Adapter
    from bot.app import Runtime

logger = logging.getLogger(__name__)


def ensure_models(config: AppConfig, *, force: bool = False, progress: bool = True) -> list[str]:
    """Train the models that are missing or whose training data changed (all of them with force)."""
    from dialogue.nlg.training import ensure_trained as ensure_replies
    from dialogue.nlg.training import training_args
    from nlu.train import ensure_trained_for, train_model

    trained: list[str] = []
    nlu = config.settings.nlu
    if force:
        train_model(data_dir=nlu.data_dir, model_dir=nlu.model_dir, encoder=nlu.encoder, progress=progress)
        trained.append("nlu")
    elif ensure_trained_for(nlu, progress=progress):
        trained.append("nlu")
    nlg = config.settings.nlg
    if nlg.enabled and not nlg.model and ensure_replies(training_args(nlg), progress=progress, force=force):
        trained.append("replies")
    return trained


@dataclass
class LoadedModels:
    parser_factory: Callable[[NameLookup], Parser]
    renderer: ReplyRenderer
    actions: ActionTable
    encoder: Any


def load_models(config: AppConfig) -> LoadedModels:
    """Load the shared encoder once; the parser, the actions (FAQ, industries, recommendations) use it."""
    from dialogue.actions.registry import default_actions
    from dialogue.nlg.renderer import load_renderer
    from nlu.encoder import BatchedEncoder, load_encoder
    from nlu.pipeline import load_parser_for

    s = config.settings
    encoder = BatchedEncoder(
        load_encoder(s.nlu.encoder, runtime=s.nlu.runtime),
        max_wait_ms=s.nlu.batch_max_wait_ms,
        max_size=s.nlu.batch_max_size,
    )

    def parser_factory(names: NameLookup) -> Parser:
        return load_parser_for(s.nlu, encoder=encoder, name_lookup=names)

    renderer = load_renderer(s.nlg)
    actions = default_actions(
        embedder=encoder,
        faq_threshold=s.dialogue.faq_threshold,
        max_invoices_listed=s.dialogue.max_invoices_listed,
    )
    return LoadedModels(parser_factory=parser_factory, renderer=renderer, actions=actions, encoder=encoder)


def _telegram_mode(config: AppConfig) -> str | None:
    mode = config.settings.telegram.mode
    if mode == "off" or not config.secrets.TELEGRAM_BOT_TOKEN:
        return None
    if mode == "auto":
        return "webhook" if config.secrets.TELEGRAM_WEBHOOK_SECRET else "polling"
    return mode


def _slack_mode(config: AppConfig) -> str | None:
    mode = config.settings.slack.mode
    if mode == "off" or not config.secrets.SLACK_BOT_TOKEN:
        return None
    if mode == "auto":
        return (
            "http"
            if config.secrets.SLACK_SIGNING_SECRET
            else ("socket" if config.secrets.SLACK_APP_TOKEN else None)
        )
    return mode


def adapter_factories(config: AppConfig) -> list[Callable[[Runtime], Adapter]]:
    """The platform adapters whose tokens are set (the web chat is always built by the runtime)."""
    factories: list[Callable[[Runtime], Adapter]] = []
    secrets = config.secrets
    tg_mode = _telegram_mode(config)
    if tg_mode is not None:
        if tg_mode == "webhook" and not secrets.TELEGRAM_WEBHOOK_SECRET:
            from bot.errors import ConfigError

            raise ConfigError(
                "TELEGRAM_WEBHOOK_SECRET: required in webhook mode (or set telegram.mode: polling)"
            )

        def telegram(rt: Runtime) -> Adapter:
            from adapters.telegram import TelegramAdapter

            async def apply_edit(message_id: str, conversation: str, text: str) -> bool:
                return await rt.store.replace_pending_text("telegram", message_id, conversation, text)

            return TelegramAdapter(
                settings=rt.config.settings.telegram,
                token=secrets.TELEGRAM_BOT_TOKEN,
                webhook_secret=secrets.TELEGRAM_WEBHOOK_SECRET,
                ingest=rt.ingest,
                apply_edit=apply_edit,
                mode=tg_mode,
            )

        factories.append(telegram)
    sl_mode = _slack_mode(config)
    if sl_mode is not None:

        def slack(rt: Runtime) -> Adapter:
            from adapters.slack import SlackAdapter

            return SlackAdapter(
                settings=rt.config.settings.slack,
                bot_token=secrets.SLACK_BOT_TOKEN,
                signing_secret=secrets.SLACK_SIGNING_SECRET,
                app_token=secrets.SLACK_APP_TOKEN,
                ingest=rt.ingest,
                mode=sl_mode,  # type: ignore[arg-type]
            )

        factories.append(slack)
    return factories


def install_jobs(runtime: Runtime) -> None:
    """Jobs that need adapters: the Slack daily digest (delivered through the outbox)."""
    if runtime.scheduler is None or "slack" not in runtime.adapters:
        return
    from bot.digest import schedule_digest

    schedule_digest(
        runtime.scheduler,
        sessionmaker=runtime.sessionmaker,
        settings=runtime.config.settings.slack.digest,
        wake=runtime.outbox_notifier.notify,
        clock=runtime.clock,
    )

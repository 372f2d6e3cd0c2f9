"""The handoff, wired once: the builder (and through it the console) and the CLI all call `build_handoff`.

One rule decides whether there is a Slack desk: Slack runs (`slack_mode`) and `slack.support_channel`
is set. The CLI only queues messages; the running bot delivers them, so both must agree on the desk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.config import AppConfig
from bot.platforms import desk_audience, slack_mode
from dialogue.backend import Backend
from dialogue.clock import Clock
from dialogue.handoff.model import Escalation
from dialogue.handoff.service import HandoffService
from dialogue.handoff.store import EscalationStore
from dialogue.llm.gate import ModelGate
from dialogue.messages import ConversationKey, Platform

logger = logging.getLogger(__name__)


def support_desk(config: AppConfig, *, announce: bool = False) -> ConversationKey | None:
    """Where escalation cards go: the Slack support channel, when Slack runs and one is set.

    `announce` logs a warning when there is none (the server, once at start-up; not every CLI command).
    """
    channel = config.settings.slack.support_channel
    slack_on = slack_mode(config) is not None
    if slack_on and channel:
        return ConversationKey(Platform.SLACK, channel)
    if announce:
        logger.warning(
            "no support desk in Slack (%s): escalations are kept, and agents work them in the web "
            "console (/agent) or with `opsbot escalations`",
            "slack.support_channel is empty" if slack_on else "Slack is not configured",
        )
    return None


def build_handoff(
    config: AppConfig,
    *,
    store: EscalationStore,
    backend: Backend,
    clock: Clock,
    observer: Callable[[Escalation, str], None] | None = None,
    llm: ModelGate | None = None,
    announce: bool = False,
) -> HandoffService:
    """The handoff service for `config`; its desk (`service.desk.channel`) follows `support_desk`.

    `llm` (None: off) gives agents the card's summary, suggested replies and translation.
    """
    return HandoffService(
        store=store,
        backend=backend,
        clock=clock,
        settings=config.settings.handoff,
        desk=support_desk(config, announce=announce),
        observer=observer,
        audience=desk_audience(config),
        llm=llm,
    )

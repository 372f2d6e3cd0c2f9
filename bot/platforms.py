"""Which platform adapters run, from the config and the tokens in the environment."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from adapters.base import Adapter, Ingest, Reject
from adapters.slack import SlackAdapter, slack_pacer
from adapters.telegram import TelegramAdapter, telegram_pacer
from adapters.web import WaitReplies, WebChatAdapter
from adapters.web.access import RateLimits
from adapters.web.adapter import Unlink
from bot.config import AppConfig
from bot.errors import ConfigError
from bot.storage.generated_files import GeneratedFiles
from bot.storage.inbox import Inbox
from bot.web_console import WebConsole
from dialogue.clock import Clock, Sleep
from dialogue.handoff.desk import AgentDirectory


@dataclass(frozen=True, slots=True)
class AdapterDeps:
    """What adapters get from the application: nothing more."""

    ingest: Ingest
    reject: Reject
    inbox: Inbox
    console: WebConsole
    wait_replies: WaitReplies
    files: GeneratedFiles
    clock: Clock
    sleep: Sleep
    unlink: Unlink | None = None  # forgets a web chat user's supplier link (/logout)
    on_link_failure: Callable[[], None] | None = None  # a wrong one-time code in the web chat


def telegram_mode(config: AppConfig) -> str | None:
    """'webhook' or 'polling', or None when Telegram is off (no token, or mode off)."""
    mode = config.settings.telegram.mode
    if mode == "off" or not config.secrets.TELEGRAM_BOT_TOKEN:
        return None
    if mode == "auto":
        return "webhook" if config.secrets.TELEGRAM_WEBHOOK_SECRET else "polling"
    if mode == "webhook" and not config.secrets.TELEGRAM_WEBHOOK_SECRET:
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET: required in webhook mode (or set telegram.mode: polling)")
    return mode


def slack_mode(config: AppConfig) -> str | None:
    """'http' or 'socket', or None when Slack is off (no token, or mode off)."""
    mode = config.settings.slack.mode
    secrets = config.secrets
    if mode == "off" or not secrets.SLACK_BOT_TOKEN:
        return None
    if mode == "auto":
        if secrets.SLACK_SIGNING_SECRET:
            return "http"
        return "socket" if secrets.SLACK_APP_TOKEN else None
    return mode


def build_adapters(config: AppConfig, deps: AdapterDeps) -> dict[str, Adapter]:
    """The web chat (unless disabled) and every platform whose token is set, by platform name."""
    settings, secrets = config.settings, config.secrets
    adapters: dict[str, Adapter] = {}
    if settings.web.enabled:
        adapters["web"] = WebChatAdapter(
            feed=deps.console,
            console=deps.console,
            agent_token=secrets.AGENT_CONSOLE_TOKEN,
            settings=settings.web,
            ingest=deps.ingest,
            wait_replies=deps.wait_replies,
            files=deps.files,
            session_secret=secrets.WEB_SESSION_SECRET,
            unlink=deps.unlink,
            limits=RateLimits(storage_uri=pacing_storage(config)),
            on_link_failure=deps.on_link_failure,
            clock=lambda: deps.clock().timestamp(),
        )
    tg_mode = telegram_mode(config)
    if tg_mode is not None:
        adapters["telegram"] = TelegramAdapter(
            settings=settings.telegram,
            token=secrets.TELEGRAM_BOT_TOKEN,
            webhook_secret=secrets.TELEGRAM_WEBHOOK_SECRET,
            ingest=deps.ingest,
            apply_edit=lambda message_id, conversation, text: deps.inbox.replace_pending_text(
                "telegram", message_id, conversation, text
            ),
            mode=tg_mode,
            reject=deps.reject,
            sleep=deps.sleep,
            pacer=telegram_pacer(settings.telegram, storage_uri=pacing_storage(config), sleep=deps.sleep),
        )
    sl_mode = slack_mode(config)
    if sl_mode is not None:
        adapters["slack"] = SlackAdapter(
            settings=settings.slack,
            bot_token=secrets.SLACK_BOT_TOKEN,
            signing_secret=secrets.SLACK_SIGNING_SECRET,
            app_token=secrets.SLACK_APP_TOKEN,
            ingest=deps.ingest,
            mode="socket" if sl_mode == "socket" else "http",
            clock=deps.clock,
            sleep=deps.sleep,
            reject=deps.reject,
            pacer=slack_pacer(
                settings.slack.per_channel_interval_seconds,
                storage_uri=pacing_storage(config),
                sleep=deps.sleep,
            ),
        )
    return adapters


def pacing_storage(config: AppConfig) -> str:
    """Where the platforms' rate limits are counted: in Redis when REDIS_URL is set (shared by every
    process), else in this process's memory."""
    return config.secrets.REDIS_URL or "memory://"


class ConfiguredAgents:
    """The agents named in config (`slack.agent_user_ids`), for a desk without a user-group lookup."""

    def __init__(self, user_ids: Sequence[str]) -> None:
        self._ids = frozenset(user_ids)

    async def is_agent(self, user_id: str) -> bool:
        return user_id in self._ids

    async def name_of(self, user_id: str) -> str:
        return ""


def agent_directory(config: AppConfig, adapters: Mapping[str, Adapter]) -> AgentDirectory:
    """Who may claim escalations on the Slack desk: configured ids, and members of the agent user group."""
    slack = adapters.get("slack")
    settings = config.settings.slack
    if isinstance(slack, SlackAdapter):
        from adapters.slack.directory import SlackAgentDirectory

        return SlackAgentDirectory(slack.client, settings.agent_user_ids, settings.agent_usergroup)
    return ConfiguredAgents(settings.agent_user_ids)


def desk_audience(config: AppConfig) -> tuple[str, ...]:
    """Who an SLA reminder mentions on the Slack desk: the agents' user group, else the agents."""
    slack = config.settings.slack
    if slack.agent_usergroup:
        return (f"group:{slack.agent_usergroup}",)
    return tuple(f"user:{user}" for user in slack.agent_user_ids)

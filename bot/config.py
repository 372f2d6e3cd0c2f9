"""The application's settings: each package's own section, composed here and loaded from config.yaml.

Values come, highest first, from the environment (`OPSBOT_<SECTION>__<KEY>`), then config.yaml, then
the defaults. Both are read through pydantic-settings' own sources, with the environment passed in
explicitly. Secrets (tokens, database and Redis URLs) come from the environment only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict, YamlConfigSettingsSource
from pydantic_settings.sources.utils import parse_env_vars

from adapters.slack.settings import SlackSettings
from adapters.telegram.settings import TelegramSettings
from adapters.web.settings import WebSettings
from bot.errors import ConfigError
from bot.llm.settings import LlmSettings
from bot.notifications.settings import NotificationSettings
from dialogue.nlg.settings import NlgSettings
from dialogue.settings import DialogueSettings, HandoffSettings, KnowledgeSettings, known_timezone
from nlu.settings import NluSettings, SettingsSection

DEFAULT_CONFIG_PATH = Path("config.yaml")


class AppSettings(SettingsSection):
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    var_dir: Path = Path("var")
    timezone: str = "UTC"

    _known_timezone = field_validator("timezone")(known_timezone)


class ServerSettings(SettingsSection):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    proxy_headers: bool = Field(
        default=False,
        description="behind a reverse proxy: take the client address and scheme from X-Forwarded-For "
        "and X-Forwarded-Proto (from forwarded_allow_ips only); `opsbot run --proxy-headers`",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1", description="the proxies whose forwarding headers are believed (comma-separated)"
    )


class DatabaseSettings(SettingsSection):
    echo: bool = False
    pool_size: int = Field(
        default=16,
        ge=1,
        description="PostgreSQL connections kept open per process (more are opened, and closed again, "
        "at peaks); under load, requests and workers use a dozen at once, and opening one costs a "
        "server process",
    )


class PipelineSettings(SettingsSection):
    workers: int = Field(
        default=4, ge=1, description="worker tasks per process, each claiming a batch of turns"
    )
    batch_size: int = Field(
        default=16, ge=1, description="conversations whose turns a worker runs at once (so the models batch)"
    )
    lease_seconds: float = Field(
        default=15.0,
        gt=0,
        description="a claimed message is reclaimed after this, unless its worker renews it",
    )
    send_lease_seconds: float = Field(default=30.0, gt=0, description="the same for a send in flight")
    poll_interval_seconds: float = Field(default=0.5, gt=0, description="the longest a worker idles unwoken")
    max_attempts: int = Field(default=5, ge=1, description="processing attempts before a message is dead")
    send_max_attempts: int = Field(default=8, ge=1)
    send_backoff_base_seconds: float = Field(default=1.0, gt=0)
    send_backoff_max_seconds: float = Field(default=300.0, gt=0)
    sender_batch: int = Field(default=20, ge=1)
    drain_seconds: float = Field(default=10.0, gt=0, description="how long a stop waits for work in hand")


class ApiSettings(SettingsSection):
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="the largest body POST /api/v1/{entity} takes (413 past it); send more in parts",
    )
    token_failures_before_lock: int = Field(
        default=10, ge=1, description="wrong or missing tokens from one client address before it is locked"
    )
    token_lock_minutes: int = Field(
        default=15, ge=1, description="how long such an address gets 429 (whatever token it sends)"
    )
    batch_retention_days: int = Field(
        default=30,
        ge=1,
        description="finished batches older than this are deleted by the nightly job; their idempotency keys "
        "are then accepted as new",
    )


class SchedulerSettings(SettingsSection):
    enabled: bool = True
    session_expiry_seconds: float = Field(default=60.0, gt=0)
    retention_days: int = Field(default=365, ge=1)


class Settings(BaseSettings):
    """Every section of config.yaml; built by `load_config` from explicit sources."""

    model_config = SettingsConfigDict(
        env_prefix="OPSBOT_", env_nested_delimiter="__", extra="forbid", frozen=True, case_sensitive=False
    )

    app: AppSettings = AppSettings()
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    pipeline: PipelineSettings = PipelineSettings()
    nlu: NluSettings = NluSettings()
    nlg: NlgSettings = NlgSettings()
    dialogue: DialogueSettings = DialogueSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    web: WebSettings = WebSettings()
    telegram: TelegramSettings = TelegramSettings()
    slack: SlackSettings = SlackSettings()
    handoff: HandoffSettings = HandoffSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    notifications: NotificationSettings = NotificationSettings()
    api: ApiSettings = ApiSettings()
    llm: LlmSettings = LlmSettings()


class Secrets(BaseSettings):
    """Read from the environment only, never from config.yaml."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=True, frozen=True)

    TELEGRAM_BOT_TOKEN: str = ""
    TELEGRAM_WEBHOOK_SECRET: str = ""
    SLACK_BOT_TOKEN: str = ""
    SLACK_SIGNING_SECRET: str = ""
    SLACK_APP_TOKEN: str = ""
    DATABASE_URL: str = ""
    REDIS_URL: str = ""
    AGENT_CONSOLE_TOKEN: str = ""  # the web console's password when web.allow_remote is on
    WEB_SESSION_SECRET: str = ""  # signs the web chat's session cookies; web.allow_remote needs it
    OPSBOT_API_TOKEN: str = ""  # the push API's bearer token (POST /api/v1/{entity}); unset: the API is off
    # the language model server's key (llm.provider openai); many local servers need none
    LLM_API_KEY: str = ""

    def __repr__(self) -> str:  # never print tokens
        present = [k for k, v in self.model_dump().items() if v]
        return f"Secrets(present={present})"

    __str__ = __repr__


_SECRET_NAMES = {name.lower() for name in Secrets.model_fields}


class _GivenEnvironment(EnvSettingsSource):
    """pydantic-settings' environment source, reading a given mapping instead of `os.environ`."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._given = dict(environ)
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._given, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


@dataclass(frozen=True, slots=True)
class AppConfig:
    """Settings plus secrets; the one object the composition root receives."""

    settings: Settings
    secrets: Secrets
    path: Path | None

    @property
    def database_url(self) -> str:
        return normalize_database_url(
            self.secrets.DATABASE_URL or default_sqlite_url(self.settings.app.var_dir)
        )


def default_sqlite_url(var_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{(var_dir / 'opsbot.db').as_posix()}"


def normalize_database_url(url: str) -> str:
    """Accept plain and driver-qualified URLs; return the async driver form SQLAlchemy needs."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(f"DATABASE_URL: not a URL: {url!r}")
    scheme = scheme.lower()
    if scheme in ("sqlite", "sqlite+aiosqlite", "sqlite+pysqlite"):
        return f"sqlite+aiosqlite://{rest}"
    if scheme in ("postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg2"):
        return f"postgresql+asyncpg://{rest}"
    if scheme in ("postgresql+psycopg", "postgresql+psycopg_async"):
        return f"postgresql+psycopg://{rest}"
    raise ConfigError(
        f"DATABASE_URL: unsupported scheme {scheme!r}; use sqlite:///PATH or postgresql://USER@HOST/DB"
    )


def _format_validation_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "<root>"
        value = err.get("input")
        shown = "" if isinstance(value, dict) else f" (got {value!r})"
        lines.append(f"{key}: {err['msg']}{shown}")
    return "invalid configuration: " + "; ".join(lines)


def resolve_config_path(path: str | Path | None, environ: Mapping[str, str]) -> Path | None:
    if path:
        return Path(path)
    if environ.get("OPSBOT_CONFIG"):
        return Path(environ["OPSBOT_CONFIG"])
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None


def _yaml_source(path: Path | None) -> YamlConfigSettingsSource:
    """config.yaml as a pydantic-settings source, refusing what it must not hold."""
    if path is not None and not path.exists():
        raise ConfigError(f"config file not found: {path}")
    try:
        source = YamlConfigSettingsSource(Settings, yaml_file=path)
        data: Any = source.yaml_data
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except (TypeError, ValueError, AttributeError):  # the file is YAML, but not a mapping
        data = None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    for section, values in data.items():
        for key in values if isinstance(values, dict) else ():
            if str(key).lower() in _SECRET_NAMES or str(key).lower().endswith(("token", "secret", "api_key")):
                raise ConfigError(
                    f"{section}.{key}: secrets are read from the environment only, not from config.yaml"
                )
    return source


def load_config(path: str | Path | None = None, *, environ: Mapping[str, str] | None = None) -> AppConfig:
    """Load config.yaml (or --config / OPSBOT_CONFIG), apply env overrides, validate; fail naming the key."""
    env = dict(os.environ if environ is None else environ)
    resolved = resolve_config_path(path, env)
    yaml_source = _yaml_source(resolved)
    try:
        settings = Settings(_build_sources=((_GivenEnvironment(Settings, env), yaml_source), {}))  # type: ignore[call-arg]
        secrets = Secrets(_build_sources=((_GivenEnvironment(Secrets, env),), {}))  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc)) from None
    config = AppConfig(settings, secrets, resolved)
    config.database_url  # noqa: B018 - validates DATABASE_URL now, naming the key
    if secrets.REDIS_URL and not secrets.REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("REDIS_URL: must start with redis://, rediss:// or unix://")
    return config

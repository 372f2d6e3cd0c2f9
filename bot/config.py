"""Settings: config.yaml loaded into pydantic-settings models, overridable by OPSBOT_<SECTION>__<KEY>.

Secrets (tokens, database and Redis URLs) come from the environment only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.errors import ConfigError

DEFAULT_CONFIG_PATH = Path("config.yaml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppSettings(_Section):
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    var_dir: Path = Path("var")
    timezone: str = "UTC"


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)


class DatabaseSettings(_Section):
    echo: bool = False
    pool_size: int = Field(default=5, ge=1)


class PipelineSettings(_Section):
    workers: int = Field(default=4, ge=1, description="worker tasks per process (PostgreSQL); SQLite uses 1")
    lease_seconds: float = Field(default=60.0, gt=0, description="a claimed message is reclaimed after this")
    poll_interval_seconds: float = Field(default=0.5, gt=0)
    max_attempts: int = Field(default=5, ge=1, description="processing attempts before a message is dead")
    send_max_attempts: int = Field(default=8, ge=1)
    send_backoff_base_seconds: float = Field(default=1.0, gt=0)
    send_backoff_max_seconds: float = Field(default=300.0, gt=0)
    sender_batch: int = Field(default=20, ge=1)


class NluSettings(_Section):
    encoder: str = Field(default="", description="local sentence-transformers path; empty = bundled MiniLM")
    runtime: Literal["onnx", "torch"] = Field(
        default="onnx", description="run the encoder through ONNX Runtime (same embeddings, faster) or torch"
    )
    model_dir: Path = Path("var/models/nlu")
    data_dir: Path = Path("nlu/data")
    confidence_threshold: float = Field(default=0.0, ge=0, le=1, description="0 = use the tuned threshold")
    ambiguity_margin: float = Field(default=0.15, ge=0, le=1)
    batch_max_wait_ms: float = Field(default=4.0, ge=0)
    batch_max_size: int = Field(default=64, ge=1)
    fuzzy_name_threshold: float = Field(default=85.0, ge=0, le=100)


class NlgSettings(_Section):
    model: str = Field(default="", description="local HF seq2seq checkpoint; empty = the trained model")
    model_dir: Path = Path("var/models/nlg")
    data_dir: Path = Path("dialogue/data")
    enabled: bool = True
    num_beams: int = Field(default=1, ge=1)
    max_new_tokens: int = Field(default=96, ge=8)
    min_token_prob: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="below this token probability the model abstains",
    )
    batch_max_wait_ms: float = Field(default=5.0, ge=0)
    batch_max_size: int = Field(default=32, ge=1)
    cache_size: int = Field(default=2048, ge=0)
    train_steps: int = Field(
        default=2100, ge=1, description="optimizer steps of `opsbot train replies` (fixed, so runs repeat)"
    )
    train_minutes: float = Field(
        default=4.5, gt=0, description="time cap of `opsbot train replies`; a slow machine stops early"
    )
    train_threads: int = Field(default=2, ge=1, description="torch threads for training the reply model")


class DialogueSettings(_Section):
    session_ttl_minutes: float = Field(default=30.0, gt=0)
    confidence_threshold: float = Field(default=0.45, ge=0, le=1)
    fallbacks_before_handoff: int = Field(default=2, ge=1)
    faq_threshold: float = Field(default=0.40, ge=0, le=1)
    link_code_ttl_hours: float = Field(default=24.0, gt=0)
    default_language: Literal["en", "zh"] = "en"
    max_invoices_listed: int = Field(default=5, ge=1)
    history_turns: int = Field(default=10, ge=1)


class WebSettings(_Section):
    enabled: bool = True
    trust_supplier_id: bool = True
    reply_timeout_seconds: float = Field(default=20.0, gt=0)
    allow_remote: bool = Field(default=False, description="serve the web chat to non-loopback clients")


class TelegramSettings(_Section):
    mode: Literal["auto", "webhook", "polling", "off"] = "auto"
    api_base_url: str = "https://api.telegram.org/bot"
    file_base_url: str = "https://api.telegram.org/file/bot"
    bot_username: str = "opsbot"
    allow_groups: bool = False
    per_chat_interval_seconds: float = Field(default=1.0, ge=0)
    global_rate_per_second: float = Field(default=30.0, gt=0)
    poll_timeout_seconds: int = Field(default=30, ge=0)


class SlackDigestSettings(_Section):
    cron: str = "30 8 * * mon-fri"
    timezone: str = "UTC"
    channel: str = ""


class SlackSettings(_Section):
    mode: Literal["auto", "http", "socket", "off"] = "auto"
    api_base_url: str = "https://slack.com/api/"
    sales_channels: tuple[str, ...] = ()
    support_channel: str = ""
    agent_user_ids: tuple[str, ...] = ()
    agent_usergroup: str = ""
    per_channel_interval_seconds: float = Field(default=1.0, ge=0)
    digest: SlackDigestSettings = SlackDigestSettings()


class HandoffSettings(_Section):
    claim_sla_minutes: float = Field(default=15.0, gt=0)
    resolve_sla_minutes: float = Field(default=240.0, gt=0)
    lead_user_id: str = ""
    vip_suppliers: tuple[str, ...] = ()
    order_value_threshold: float = Field(default=50000.0, ge=0)


class SchedulerSettings(_Section):
    enabled: bool = True
    outbox_retry_seconds: float = Field(default=5.0, gt=0)
    session_expiry_seconds: float = Field(default=60.0, gt=0)
    retention_days: int = Field(default=365, ge=1)


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

    def __repr__(self) -> str:  # never print tokens
        present = [k for k, v in self.model_dump().items() if v]
        return f"Secrets(present={present})"

    __str__ = __repr__


class _YamlSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


class Settings(BaseSettings):
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
    web: WebSettings = WebSettings()
    telegram: TelegramSettings = TelegramSettings()
    slack: SlackSettings = SlackSettings()
    handoff: HandoffSettings = HandoffSettings()
    scheduler: SchedulerSettings = SchedulerSettings()

    _yaml_data: dict[str, Any] = {}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _YamlSource(settings_cls, _PENDING_YAML.get("data", {})))

    @field_validator("app")
    @classmethod
    def _check_timezone(cls, value: AppSettings) -> AppSettings:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value.timezone!r}") from exc
        return value


_PENDING_YAML: dict[str, dict[str, Any]] = {}

_SECRET_NAMES = {name.lower() for name in Secrets.model_fields}


class AppConfig:
    """Settings plus secrets; the one object the composition root receives."""

    def __init__(self, settings: Settings, secrets: Secrets, path: Path | None) -> None:
        self.settings = settings
        self.secrets = secrets
        self.path = path

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


def resolve_config_path(path: str | Path | None, environ: dict[str, str] | None = None) -> Path | None:
    if path:
        return Path(path)
    env = (os.environ if environ is None else environ).get("OPSBOT_CONFIG")
    if env:
        return Path(env)
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None


def load_config(path: str | Path | None = None, *, environ: dict[str, str] | None = None) -> AppConfig:
    """Load config.yaml (or --config / OPSBOT_CONFIG), apply env overrides, validate; fail naming the key."""
    resolved = resolve_config_path(path, environ)
    data: dict[str, Any] = {}
    if resolved is not None:
        if not resolved.exists():
            raise ConfigError(f"config file not found: {resolved}")
        try:
            loaded = yaml.safe_load(resolved.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{resolved}: not valid YAML: {exc}") from exc
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{resolved}: the top level must be a mapping of sections")
        data = loaded
    for section, values in data.items():
        if isinstance(values, dict):
            for key in values:
                if str(key).lower() in _SECRET_NAMES or str(key).lower().endswith(("token", "secret")):
                    raise ConfigError(
                        f"{section}.{key}: secrets are read from the environment only, not from config.yaml"
                    )
    old_env = None
    if environ is not None:
        old_env = dict(os.environ)
        os.environ.clear()
        os.environ.update(environ)
    _PENDING_YAML["data"] = data
    try:
        settings = Settings()
        secrets = Secrets()
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc)) from None
    finally:
        _PENDING_YAML.pop("data", None)
        if old_env is not None:
            os.environ.clear()
            os.environ.update(old_env)
    config = AppConfig(settings, secrets, resolved)
    config.database_url  # noqa: B018 - validates DATABASE_URL now, naming the key
    if secrets.REDIS_URL and not secrets.REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("REDIS_URL: must start with redis://, rediss:// or unix://")
    return config


def settings_as_yaml(settings: Settings) -> str:
    """Render the settings as config.yaml text (used to check that config.yaml lists every default)."""
    return yaml.safe_dump(settings.model_dump(mode="json"), sort_keys=False, allow_unicode=True)

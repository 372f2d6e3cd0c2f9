"""Config: defaults in config.yaml, env overrides, secrets from the environment only, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import Settings, load_config, normalize_database_url
from bot.errors import ConfigError


def test_config_yaml_lists_every_setting_with_its_default(repo_root: Path) -> None:
    on_disk = yaml.safe_load((repo_root / "config.yaml").read_text(encoding="utf-8"))
    defaults = Settings.model_construct().model_dump(mode="json")
    defaults = yaml.safe_load(yaml.safe_dump(defaults))
    assert on_disk == defaults


def test_env_overrides_any_key(tmp_path: Path) -> None:
    cfg = load_config(
        None,
        environ={
            "OPSBOT_TELEGRAM__API_BASE_URL": "http://127.0.0.1:9999/bot",
            "OPSBOT_SLACK__DIGEST__CHANNEL": "C0DIGEST",
            "OPSBOT_SERVER__PORT": "9090",
        },
    )
    assert cfg.settings.telegram.api_base_url == "http://127.0.0.1:9999/bot"
    assert cfg.settings.slack.digest.channel == "C0DIGEST"
    assert cfg.settings.server.port == 9090


def test_config_path_from_env(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("server: {port: 7070}\n")
    cfg = load_config(None, environ={"OPSBOT_CONFIG": str(path)})
    assert cfg.settings.server.port == 7070 and cfg.path == path


@pytest.mark.parametrize(
    ("yaml_text", "env", "key"),
    [
        ("server: {port: 99999}\n", {}, "server.port"),
        ("telegram: {mode: carrier-pigeon}\n", {}, "telegram.mode"),
        ("dialogue: {session_ttl_minutes: -1}\n", {}, "dialogue.session_ttl_minutes"),
        ("nlu: {no_such_key: 1}\n", {}, "nlu.no_such_key"),
        ("", {"OPSBOT_PIPELINE__WORKERS": "many"}, "pipeline.workers"),
        ("", {"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ("", {"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ("telegram: {bot_token: abc}\n", {}, "telegram.bot_token"),
        ("app: {timezone: Mars/Olympus}\n", {}, "app"),
    ],
)
def test_bad_value_names_the_key(tmp_path: Path, yaml_text: str, env: dict[str, str], key: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError) as err:
        load_config(path, environ=env)
    assert key in str(err.value)


def test_secrets_come_from_env_and_are_not_printed() -> None:
    cfg = load_config(None, environ={"TELEGRAM_BOT_TOKEN": "123456:SECRETSECRETSECRETSECRETSECRET"})
    assert cfg.secrets.TELEGRAM_BOT_TOKEN.startswith("123456:")
    assert "SECRET" not in repr(cfg.secrets) and "SECRET" not in str(cfg.secrets)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("sqlite+aiosqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_database_url_forms(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


def test_default_database_is_sqlite_in_var() -> None:
    assert load_config(None, environ={}).database_url == "sqlite+aiosqlite:///var/opsbot.db"

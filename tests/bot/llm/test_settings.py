"""The llm: section: off by default, env overrides like every key, the key from the environment only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import ConfigError
from bot.llm.settings import normalize_base_url


def test_off_by_default() -> None:
    llm = load_config(None, environ={}).settings.llm
    assert llm.provider == "off" and llm.uses == () and llm.timeout_seconds == 8.0 and llm.redact


def test_env_overrides_every_key() -> None:
    cfg = load_config(
        None,
        environ={
            "OPSBOT_LLM__PROVIDER": "openai",
            "OPSBOT_LLM__BASE_URL": "http://127.0.0.1:8000",
            "OPSBOT_LLM__MODEL": "qwen2.5-7b-instruct",
            "OPSBOT_LLM__TIMEOUT_SECONDS": "2.5",
            "OPSBOT_LLM__STRUCTURED_OUTPUT": "vllm",
            "OPSBOT_LLM__USES": "listing,knowledge",
            "OPSBOT_LLM__REDACT": "false",
            "LLM_API_KEY": "sk-from-env",
        },
    )
    llm = cfg.settings.llm
    assert (llm.provider, llm.base_url, llm.model) == (
        "openai",
        "http://127.0.0.1:8000/v1",
        "qwen2.5-7b-instruct",
    )
    assert llm.timeout_seconds == 2.5 and llm.structured_output == "vllm" and not llm.redact
    assert llm.uses == ("listing", "knowledge")
    assert cfg.secrets.LLM_API_KEY == "sk-from-env" and "sk-from-env" not in repr(cfg.secrets)


def test_uses_as_a_json_list_too() -> None:
    assert load_config(None, environ={"OPSBOT_LLM__USES": '["assist"]'}).settings.llm.uses == ("assist",)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://localhost:8000", "http://localhost:8000/v1"),
        ("http://localhost:8000/", "http://localhost:8000/v1"),
        ("http://localhost:11434/v1/", "http://localhost:11434/v1"),
        ("https://gateway.example/openai/v1", "https://gateway.example/openai/v1"),
        ("http://gpu-box/vllm", "http://gpu-box/vllm/v1"),
        ("", ""),
    ],
)
def test_a_missing_v1_is_added(given: str, expected: str) -> None:
    assert normalize_base_url(given) == expected


def test_the_key_is_refused_in_config_yaml(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("llm:\n  provider: openai\n  base_url: http://127.0.0.1:8000\n  api_key: sk-1\n")
    with pytest.raises(ConfigError, match=r"llm\.api_key: secrets are read from the environment only"):
        load_config(path, environ={})


def test_a_bare_yaml_off_means_off(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("llm:\n  provider: off\n")
    assert load_config(path, environ={}).settings.llm.provider == "off"


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"OPSBOT_LLM__PROVIDER": "openai"}, "base_url"),
        ({"OPSBOT_LLM__PROVIDER": "local"}, "model"),
        ({"OPSBOT_LLM__PROVIDER": "anthropic"}, "llm.provider"),
        ({"OPSBOT_LLM__USES": "listing,poetry"}, "llm.uses"),
        ({"OPSBOT_LLM__TIMEOUT_SECONDS": "0"}, "llm.timeout_seconds"),
        ({"OPSBOT_LLM__BASE_URL": "localhost:8000"}, "llm.base_url"),
    ],
)
def test_a_bad_value_names_the_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(None, environ=env)

"""`opsbot llm check`: latency and whether structured output works, against the fake server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.servers import ThreadedServer

runner = CliRunner()


@pytest.fixture
def threaded_fake() -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI()
    server = ThreadedServer(fake.app(), name="fake-openai")
    yield fake, f"http://127.0.0.1:{server.port}"
    server.stop()


def env_for(root: str, tmp_path: Path, **more: str) -> dict[str, str]:
    return {
        "OPSBOT_APP__VAR_DIR": str(tmp_path),
        "OPSBOT_LLM__PROVIDER": "openai",
        "OPSBOT_LLM__BASE_URL": root,
        "OPSBOT_LLM__MODEL": "fake-model",
        **more,
    }


def test_check_reports_latency_and_structured_output(
    threaded_fake: tuple[FakeOpenAI, str], tmp_path: Path
) -> None:
    fake, root = threaded_fake
    fake.answer = lambda body: json.dumps({"status": "ok"}) if "response_format" in body else "Hello there."
    result = runner.invoke(
        app, ["llm", "check", "-c", str(tmp_path / "none.yaml")], env=env_for(root, tmp_path)
    )
    assert result.exit_code == 2  # a config path that does not exist is refused first
    (tmp_path / "config.yaml").write_text("app:\n  log_level: INFO\n")
    result = runner.invoke(
        app, ["llm", "check", "-c", str(tmp_path / "config.yaml")], env=env_for(root, tmp_path)
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"model: openai:fake-model at {root}/v1"
    assert lines[1].startswith("structured output (json_schema): works in ") and "'status': 'ok'" in lines[1]
    assert lines[2].startswith("plain text: works in ") and "Hello there." in lines[2]
    assert len(fake.requests) == 2


def test_check_tells_when_structured_output_fails(
    threaded_fake: tuple[FakeOpenAI, str], tmp_path: Path
) -> None:
    fake, root = threaded_fake
    fake.content = "I am a model without JSON."
    (tmp_path / "config.yaml").write_text("app:\n  log_level: INFO\n")
    env = env_for(root, tmp_path, OPSBOT_LLM__STRUCTURED_OUTPUT="vllm")
    result = runner.invoke(app, ["llm", "check", "-c", str(tmp_path / "config.yaml")], env=env)
    assert result.exit_code == 0, result.output  # the server answers: text works
    assert "structured output (vllm): FAILED" in result.output and "invalid_json" in result.output


def test_check_with_the_provider_off_says_so(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("app:\n  log_level: INFO\n")
    env = {"OPSBOT_APP__VAR_DIR": str(tmp_path)}
    result = runner.invoke(app, ["llm", "check", "-c", str(tmp_path / "config.yaml")], env=env)
    assert result.exit_code == 1 and "llm.provider is off" in result.output

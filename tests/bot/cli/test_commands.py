"""The CLI as an operator uses it: --help everywhere, migrations, demo data, invites."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


def _commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for cmd in group.registered_commands:
        found.append((*prefix, cmd.name or (cmd.callback.__name__ if cmd.callback else "")))
    for sub in group.registered_groups:
        assert sub.typer_instance is not None and sub.name
        found.append((*prefix, sub.name))
        found.extend(_commands(sub.typer_instance, (*prefix, sub.name)))
    return found


@pytest.mark.parametrize("argv", [(), *_commands(app)], ids=lambda a: " ".join(a) or "opsbot")
def test_every_command_has_help(argv: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*argv, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_db_upgrade_seed_and_invite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.delenv("OPSBOT_CONFIG", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    seeded = runner.invoke(app, ["db", "seed-demo"])
    assert seeded.exit_code == 0 and "'orders'" in seeded.output
    again = runner.invoke(app, ["db", "seed-demo"])
    assert again.exit_code == 1 and "already holds data" in again.output
    assert "already present" in runner.invoke(app, ["db", "seed-demo", "--if-empty"]).output
    invite = runner.invoke(app, ["suppliers", "invite", "SUP-001"])
    assert invite.exit_code == 0, invite.output
    assert "https://t.me/opsbot?start=" in invite.output
    unknown = runner.invoke(app, ["suppliers", "invite", "SUP-999"])
    assert unknown.exit_code == 1 and "unknown supplier" in unknown.output


def test_bad_config_value_stops_with_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("server: {port: 0}\n")
    result = runner.invoke(app, ["db", "upgrade", "--config", str(bad)])
    assert result.exit_code == 2
    assert "server.port" in result.output


def test_chat_shows_only_the_conversation_and_logs_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import console
    from bot.ml import Models
    from dialogue.actions.registry import default_actions
    from tests.fakes.nlu import KeywordParser
    from tests.fakes.renderer import EchoRenderer

    async def doubles(_config: object) -> Models:
        nlu = KeywordParser()
        return Models(
            make_parser=lambda _names: nlu, renderer=EchoRenderer(), actions=default_actions(embedder=None)
        )

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/chat.db")
    monkeypatch.setenv("OPSBOT_APP__VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("OPSBOT_CONFIG", raising=False)
    monkeypatch.setattr(console, "prepare_models", doubles)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0

    result = runner.invoke(app, ["chat", "--sender", "ann", "--supplier", ""], input="hello\n")

    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].startswith("opsbot console chat")
    assert "bot> greeting: user_name=ann" in result.output
    assert all(line.startswith(("opsbot console chat", "you>", "bot>", "     [")) for line in lines), lines
    logged = "".join(p.read_text() for p in (tmp_path / "var").rglob("*.log"))
    assert " INFO " in logged and " WARNING " in logged  # the log went to its file, not into the chat

"""`opsbot conversations list`: who has each conversation comes from its escalation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, update
from typer.testing import CliRunner

from bot.cli import app
from bot.storage.tables import ConversationRow, EscalationRow

runner = CliRunner()
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_the_list_shows_a_conversation_held_by_a_person_while_its_escalation_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("OPSBOT_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for chat in ("ann", "bob"):
            conn.execute(
                insert(ConversationRow).values(
                    key=f"telegram:{chat}",
                    platform="telegram",
                    slots={},
                    state={},
                    version=1,
                    session_started_at=NOW,
                    last_activity_at=NOW,
                    created_at=NOW,
                )
            )
        conn.execute(
            insert(EscalationRow).values(
                conversation_key="telegram:ann",
                status="assigned",
                reason="user_request",
                version=1,
                created_at=NOW,
                claim_due_at=NOW,
                resolve_due_at=NOW,
                updated_at=NOW,
            )
        )

    def listed() -> dict[str, str]:
        result = runner.invoke(app, ["conversations", "list"])
        assert result.exit_code == 0, result.output
        lines = [line for line in result.output.splitlines() if "telegram:" in line]
        return {chat: next(line for line in lines if f"telegram:{chat} " in line) for chat in ("ann", "bob")}

    shown = listed()
    assert "held by a person" in shown["ann"] and "held by a person" not in shown["bob"]
    with engine.begin() as conn:
        conn.execute(update(EscalationRow).values(status="resolved"))
    assert not any("held by a person" in line for line in listed().values())
    engine.dispose()

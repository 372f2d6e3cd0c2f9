"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, text

from bot.storage.migrate import alembic_config, upgrade
from bot.storage.tables import Base

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


async def test_autogenerate_finds_nothing_between_the_migrations_and_the_models(engine: Any) -> None:
    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_downgrading_the_one_holder_rebuilds_the_controller_from_the_escalations(engine: Any) -> None:
    conversations, escalations = Base.metadata.tables["conversations"], Base.metadata.tables["escalations"]
    chat = {"platform": "telegram", "user_id": "", "language": "en", "slots": {}, "state": {}, "version": 1}
    at = {"session_started_at": NOW, "last_activity_at": NOW, "created_at": NOW}
    case = {"priority": "normal", "reason": "user_request", "language": "en", "version": 1}
    due = {"created_at": NOW, "claim_due_at": NOW, "resolve_due_at": NOW, "updated_at": NOW}
    async with engine.begin() as conn:
        await conn.execute(
            insert(conversations), [{"key": k, **chat, **at} for k in ("telegram:1", "telegram:2")]
        )
        await conn.execute(
            insert(escalations),
            [
                {"conversation_key": "telegram:1", "status": "assigned", **case, **due},
                {"conversation_key": "telegram:2", "status": "resolved", **case, **due},
            ],
        )

    def downgrade(connection: Any) -> None:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")

    async with engine.begin() as conn:
        await conn.run_sync(downgrade)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT key, controller FROM conversations ORDER BY key"))).all()
    assert [tuple(r) for r in rows] == [("telegram:1", "human"), ("telegram:2", "bot")]
    await upgrade(engine)
    async with engine.connect() as conn:
        assert (
            await conn.run_sync(
                lambda c: list(compare_metadata(MigrationContext.configure(c), Base.metadata))
            )
            == []
        )

"""The few statements that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Sessionmaker = async_sessionmaker[AsyncSession]


def dialect_of(sessionmaker: Sessionmaker) -> str:
    bind = sessionmaker.kw.get("bind")
    return str(bind.dialect.name) if bind is not None else "sqlite"


def upsert_insert(sessionmaker: Sessionmaker, table: Any) -> Any:
    """An INSERT that supports `.on_conflict_do_nothing()` on the session's database."""
    return postgresql.insert(table) if dialect_of(sessionmaker) == "postgresql" else sqlite.insert(table)

"""A synchronous engine on the test database (what `opsbot import` uses)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.dataio.apply import sync_engine


@pytest.fixture
def sync_db(database: tuple[str, str | None]) -> Iterator[Engine]:
    url, schema = database
    engine = sync_engine(url, search_path=schema)
    yield engine
    engine.dispose()

"""A PostgreSQL database of its own for one run of the bot as a separate process (tests and benchmarks)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from sqlalchemy import create_engine, text


@contextlib.contextmanager
def fresh_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create an empty database on the server of `server_url` (any database URL there), yield its URL
    (in the form of `server_url`), and drop it afterwards, connections and all."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    base = server_url.rsplit("/", 1)[0]
    admin_url = base.replace("+asyncpg", "+psycopg").replace("postgresql://", "postgresql+psycopg://")
    admin = create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

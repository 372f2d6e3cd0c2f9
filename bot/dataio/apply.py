"""The second pass of an import: rows upserted by key, in batches, on the caller's transaction.

Each batch reads the stored rows with the same keys first: a row that is new is inserted, one that
differs is updated, and one that is equal is left alone. So importing the same files twice writes
nothing the second time, and the counts say what changed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, bindparam, create_engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.dataio.contract import Record, StockIn
from bot.dataio.entities import BY_NAME, ENTITIES, Entity
from bot.dataio.readers import Opener, open_table
from bot.notifications.changes import Change, changes_of
from bot.storage.db import set_sqlite_pragmas
from bot.storage.tables import storable

BATCH = 2000
_COLUMNS = {e.name: set(e.columns) for e in ENTITIES}


@dataclass(slots=True)
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


def sync_engine(url: str, *, search_path: str | None = None) -> Engine:
    """A synchronous engine on the database of an async URL (pysqlite, or psycopg for PostgreSQL)."""
    scheme, _, rest = url.partition("://")
    if scheme.startswith("sqlite"):
        engine = create_engine(f"sqlite+pysqlite://{rest}", connect_args={"timeout": 30})
        set_sqlite_pragmas(engine)
        return engine
    args = {"options": f"-csearch_path={search_path}"} if search_path else {}
    return create_engine(f"postgresql+psycopg://{rest}", connect_args=args)


class SqlStore:
    """What the validation looks up in the store: which keys exist, and whose they are."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def owners(self, entity: str, keys: Collection[str]) -> dict[str, str]:
        table = BY_NAME[entity].table
        key = table.c[BY_NAME[entity].key[0]]
        owner = table.c.get("supplier_id", None)
        columns = (key, owner) if owner is not None else (key,)
        rows = self._conn.execute(select(*columns).where(key.in_(list(keys))))
        return {r[0]: (r[1] if owner is not None else "") for r in rows}


def apply_file(
    conn: Connection,
    path: Any,
    entity: Entity,
    *,
    now: datetime,
    opener: Opener,
    changes: list[Change] | None = None,
) -> Counts:
    """Upsert every row of one (validated) file; what an update means to a supplier goes to `changes`."""
    counts = Counts()
    table = open_table(path, opener)
    try:
        batch: list[Record] = []
        for _number, values in table.rows:
            if isinstance(values, str):
                raise ValueError(f"{path}: the file changed since it was checked")
            batch.append(entity.model.model_validate(values))
            if len(batch) >= BATCH:
                _apply_batch(conn, entity, batch, now, counts, changes)
                batch = []
        if batch:
            _apply_batch(conn, entity, batch, now, counts, changes)
    finally:
        table.close()
    return counts


def _row(entity: Entity, record: Record, now: datetime) -> dict[str, Any]:
    row = record.model_dump(include=_COLUMNS[entity.name])
    for column, value in row.items():
        if isinstance(value, str) and (not value.isascii() or "\x00" in value):
            row[column] = storable(value)
    if entity.name == "stock":
        row["updated_at"] = row["updated_at"] or now
        row["updated_by"] = "import"
    return row


def _differs(entity: Entity, row: dict[str, Any], stored: Any, record: Record) -> bool:
    timeless = isinstance(record, StockIn) and record.updated_at is None
    for column in entity.columns:
        if column == "updated_at" and timeless:
            continue  # a stock level without a time: only its quantity counts
        value, old = row[column], getattr(stored, column)
        if value != old and not (isinstance(value, str) and storable(value) == old):
            return True
    return False


def _apply_batch(
    conn: Connection,
    entity: Entity,
    records: list[Record],
    now: datetime,
    counts: Counts,
    changes: list[Change] | None = None,
) -> None:
    rows = [_row(entity, r, now) for r in records]
    if entity.name == "order_lines":
        _apply_lines(conn, entity.table, rows, records, counts)
        return
    key = entity.key[0]
    stored = {
        s._mapping[key]: s
        for s in conn.execute(select(entity.table).where(entity.table.c[key].in_([r[key] for r in rows])))
    }
    new, changed = [], []
    for row, record in zip(rows, records, strict=True):
        old = stored.get(row[key])
        if old is None:
            new.append(row)
        elif _differs(entity, row, old, record):
            changed.append(row)
            if changes is not None:
                changes.extend(changes_of(entity.name, old, row))
        else:
            counts.unchanged += 1
    if new:
        conn.execute(entity.table.insert(), new)
        counts.inserted += len(new)
    if changed:
        conn.execute(_upsert(conn, entity.table, (key,), list(changed[0])), changed)
        counts.updated += len(changed)


def _apply_lines(
    conn: Connection, table: Table, rows: list[dict[str, Any]], records: list[Record], counts: Counts
) -> None:
    """Order lines have no id of their own: a line is the order's line for that SKU."""
    orders = list({r["order_id"] for r in rows})
    stored = {(s.order_id, s.sku): s for s in conn.execute(select(table).where(table.c.order_id.in_(orders)))}
    new, changed = [], []
    for row, record in zip(rows, records, strict=True):
        old = stored.get((row["order_id"], row["sku"]))
        if old is None:
            new.append(row)
        elif _differs(BY_NAME["order_lines"], row, old, record):
            changed.append(
                {"line_id": old.id, "new_quantity": row["quantity"], "new_price": row["unit_price"]}
            )
        else:
            counts.unchanged += 1
    if new:
        conn.execute(table.insert(), new)
        counts.inserted += len(new)
    if changed:
        statement = (
            update(table)
            .where(table.c.id == bindparam("line_id"))
            .values(quantity=bindparam("new_quantity"), unit_price=bindparam("new_price"))
        )
        conn.execute(statement, changed)
        counts.updated += len(changed)


def _upsert(conn: Connection, table: Table, key: tuple[str, ...], columns: list[str]) -> Insert:
    if conn.dialect.name == "postgresql":
        pg = postgresql.insert(table)
        return pg.on_conflict_do_update(
            index_elements=list(key), set_={c: pg.excluded[c] for c in columns if c not in key}
        )
    lite = sqlite.insert(table)
    return lite.on_conflict_do_update(
        index_elements=list(key), set_={c: lite.excluded[c] for c in columns if c not in key}
    )

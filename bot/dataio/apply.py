"""The second pass of an import: the checked rows upserted by key, on the caller's transaction.

A row that is new is inserted, one that differs is updated, and one that is equal is left alone. So
importing the same files twice writes nothing the second time, and the counts say what changed. On
SQLite each batch is compared with the stored rows of the same keys in Python; on PostgreSQL the rows
are copied into a temporary table and compared and upserted in SQL (`bot.dataio.pg_copy`).

A stock level whose quantity an import changes gets an `inventory_changes` row (old -> new quantity,
changed by "import:<source>"), as a stock update in the chat does; a new or unchanged level gets none.
"""

from __future__ import annotations

import pickle
import tempfile
import uuid
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, Insert, Table, bindparam, create_engine, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.dataio.contract import Record
from bot.dataio.entities import BY_NAME, Entity
from bot.notifications.changes import Change, changes_of
from bot.storage.db import set_sqlite_pragmas
from bot.storage.tables import InventoryChangeRow, storable

BATCH = 2000


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
    # libpq splits `options` at spaces: a path such as the default `"$user", public` keeps its own escaped
    escaped = (search_path or "").replace("\\", "\\\\").replace(" ", "\\ ")
    args = {"options": f"-csearch_path={escaped}"} if search_path else {}
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


def stored_values(entity: Entity, record: Record) -> tuple[Any, ...]:
    """A checked record as the values of `entity.columns`, its text as every database stores it."""
    row = tuple(map(record.__dict__.__getitem__, entity.columns))
    texts = "".join([v for v in row if type(v) is str])
    if not texts.isascii() or "\x00" in texts:
        row = tuple(storable(v) if isinstance(v, str) else v for v in row)
    return row


class Spill:
    """The checked rows of each file, as tuples of their stored columns, in a temporary file each.

    The check pass keeps every row here, so the apply pass neither reads nor checks a file again, and
    memory stays bounded whatever the size of the file (rows go to disk in batches).
    """

    def __init__(self) -> None:
        self._files: dict[Path, tuple[IO[bytes], list[tuple[Any, ...]]]] = {}

    def keep(self, path: Path, entity: Entity, record: Record) -> None:
        spilled = self._files.get(path)
        if spilled is None:
            spill_file = tempfile.TemporaryFile(prefix="opsbot-import-")  # noqa: SIM115 - closed by close()
            spilled = self._files[path] = (spill_file, [])
        handle, buffer = spilled
        buffer.append(stored_values(entity, record))
        if len(buffer) >= BATCH:
            pickle.dump(buffer, handle, protocol=pickle.HIGHEST_PROTOCOL)
            buffer.clear()

    def batches(self, path: Path) -> Iterator[list[tuple[Any, ...]]]:
        spilled = self._files.get(path)
        if spilled is None:
            return
        handle, buffer = spilled
        if buffer:
            pickle.dump(buffer, handle, protocol=pickle.HIGHEST_PROTOCOL)
            buffer.clear()
        handle.seek(0)
        while True:
            try:
                yield pickle.load(handle)  # our own temporary file, written just before
            except EOFError:
                return

    def close(self) -> None:
        for handle, _ in self._files.values():
            handle.close()
        self._files.clear()


def apply_rows(
    conn: Connection,
    entity: Entity,
    batches: Iterable[list[tuple[Any, ...]]],
    *,
    now: datetime,
    changes: list[Change] | None = None,
    changed_by: str = "import",
) -> Counts:
    """Upsert checked rows (tuples of `entity.columns`); what an update means to a supplier goes to `changes`.

    Each batch is compared with the stored rows of the same keys in Python (on PostgreSQL the import
    uses `bot.dataio.pg_copy` instead, but for stock levels). `changed_by` names the import in the
    stock history ("import:<source>").
    """
    counts = Counts()
    for batch in batches:
        _apply_batch(conn, entity, batch, now, counts, changes, changed_by[:160])
    return counts


def _stock(batch: list[tuple[Any, ...]], now: datetime) -> tuple[list[tuple[Any, ...]], list[bool]]:
    """Stock levels with the time of the import where they have none (then their quantity alone counts)."""
    timeless = [values[2] is None for values in batch]  # (sku, quantity, updated_at)
    return [(s, q, t or now) for s, q, t in batch], timeless


def _apply_batch(
    conn: Connection,
    entity: Entity,
    batch: list[tuple[Any, ...]],
    now: datetime,
    counts: Counts,
    changes: list[Change] | None = None,
    changed_by: str = "import",
) -> None:
    table, columns = entity.table, entity.columns
    if entity.name == "order_lines":
        _apply_lines(conn, entity, batch, counts)
        return
    timeless: list[bool] = []
    if entity.name == "stock":
        batch, timeless = _stock(batch, now)
    at = columns.index(entity.key[0])
    keys = [values[at] for values in batch]
    selected = select(*(table.c[c] for c in columns)).where(table.c[entity.key[0]].in_(keys))
    stored = {tuple(s)[at]: s for s in conn.execute(selected)}
    new, changed, history = [], [], []
    for n, values in enumerate(batch):
        old = stored.get(values[at])
        if old is None:
            new.append(values)
            continue
        before = tuple(old)
        # a stock level without a time: only its quantity counts
        same = before[:2] == values[:2] if timeless and timeless[n] else before == values
        if same:
            counts.unchanged += 1
            continue
        changed.append(values)
        if entity.name == "stock" and before[1] != values[1]:  # (sku, quantity, updated_at)
            history.append(_stock_change(values[0], before[1], values[1], changed_by, now))
        if changes is not None and entity.name in ("orders", "invoices"):
            changes.extend(changes_of(entity.name, old, dict(zip(columns, values, strict=True))))
    extra = {"updated_by": changed_by} if entity.name == "stock" else {}
    if new:
        conn.execute(table.insert(), [dict(zip(columns, v, strict=True), **extra) for v in new])
        counts.inserted += len(new)
    if changed:
        rows = [dict(zip(columns, v, strict=True), **extra) for v in changed]
        conn.execute(_upsert(conn, table, entity.key, list(rows[0])), rows)
        counts.updated += len(changed)
    if history:
        conn.execute(insert(InventoryChangeRow), history)


def _stock_change(sku: str, old: int, new: int, changed_by: str, now: datetime) -> dict[str, Any]:
    """An `inventory_changes` row, as `set_stock` writes for a stock update in the chat."""
    return {
        "request_id": f"import:{uuid.uuid4().hex}",  # each change is its own write
        "sku": sku,
        "old_quantity": old,
        "new_quantity": new,
        "changed_by": changed_by,
        "changed_at": now,
    }


def _apply_lines(conn: Connection, entity: Entity, batch: list[tuple[Any, ...]], counts: Counts) -> None:
    """Order lines have no id of their own: a line is the order's line for that SKU."""
    table = entity.table
    assert entity.columns == ("order_id", "sku", "quantity", "unit_price")
    orders = list({values[0] for values in batch})
    selected = select(table.c.id, table.c.order_id, table.c.sku, table.c.quantity, table.c.unit_price)
    stored = {(s[1], s[2]): s for s in conn.execute(selected.where(table.c.order_id.in_(orders)))}
    new, changed = [], []
    for order_id, sku, quantity, price in batch:
        old = stored.get((order_id, sku))
        if old is None:
            new.append({"order_id": order_id, "sku": sku, "quantity": quantity, "unit_price": price})
        elif (old[3], old[4]) != (quantity, price):
            changed.append({"line_id": old[0], "new_quantity": quantity, "new_price": price})
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

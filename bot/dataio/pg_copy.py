"""The apply pass on PostgreSQL: checked rows are copied (COPY) into a temporary table, then compared
with the stored rows and upserted by a few statements, all in SQL.

A row that is new is inserted, one that differs is updated, one that is equal is left alone (the
upsert's `WHERE ... IS DISTINCT FROM`), and `xmax = 0` on the returned rows tells an insert from an
update. Before the upsert, the stored rows that are about to change are read with their new values,
so that what an update means to a supplier (`changes_of`) is computed for the changed rows only.

**A first bulk load** (at least `BULK_ROWS` rows into an empty table) is written without the table's
foreign keys, which are then added again, checked in one pass over the table, in the same transaction.
Checked row by row (a trigger and a locking look-up per row and key) they cost about half of the time
of the order lines. Dropping a foreign key locks its table and the one it refers to until the import
commits, so this is done only when the table is empty: the bot has nothing there to answer from yet.
Every row was checked against the import and the store before (`bot.dataio.validate`); were one wrong
all the same, adding the key back fails and nothing is applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection

from bot.dataio.apply import Counts
from bot.dataio.entities import Entity
from bot.notifications.changes import Change, changes_of

TEMP = "opsbot_import_rows"
BULK_ROWS = 10_000  # a first load of at least this many rows into an empty table skips row-by-row FK checks
NOTIFYING = ("orders", "invoices")  # the entities whose updates may mean something to a supplier


def _names(columns: Iterable[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{c}"' for c in columns)


def copy_rows(
    conn: Connection,
    entity: Entity,
    batches: Iterable[list[tuple[Any, ...]]],
    *,
    changes: list[Change] | None = None,
) -> Counts:
    """Upsert the rows (tuples of `entity.columns`) on the connection's transaction; the counts."""
    raw: Any = conn.connection.dbapi_connection
    names = _names(entity.columns)
    with raw.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '64MB'")  # the comparison's joins hash in memory, not on disk
        cur.execute(f"DROP TABLE IF EXISTS {TEMP}")
        cur.execute(
            f"CREATE TEMP TABLE {TEMP} ON COMMIT DROP AS SELECT {names} FROM {entity.table.name} WITH NO DATA"
        )
        total = 0
        with cur.copy(f"COPY {TEMP} ({names}) FROM STDIN") as copy:
            for batch in batches:
                for row in batch:
                    copy.write_row(row)
                total += len(batch)
    return _upsert_copied(conn, entity, TEMP, total, changes=changes)


def _upsert_copied(
    conn: Connection, entity: Entity, temp: str, total: int, *, changes: list[Change] | None = None
) -> Counts:
    """Upsert the `total` rows of the temporary table `temp` into the entity's table; the counts."""
    raw: Any = conn.connection.dbapi_connection
    table = entity.table.name
    with raw.cursor() as cur:
        cur.execute(f"ANALYZE {temp}")
        dropped = _drop_foreign_keys(cur, table) if total >= BULK_ROWS and _empty(cur, table) else []
        if entity.name == "order_lines":
            inserted, updated = _lines(cur, temp, table, entity)
        else:
            if changes is not None and entity.name in NOTIFYING:
                changes.extend(_changes(cur, temp, table, entity))
            inserted, updated = _upsert(cur, temp, table, entity)
        for name, definition in dropped:  # checked once over the whole table
            cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quoted(name)} {definition}")
    return Counts(inserted=inserted, updated=updated, unchanged=total - inserted - updated)


def _empty(cur: Any, table: str) -> bool:
    cur.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
    return bool(cur.fetchone()[0])


def _drop_foreign_keys(cur: Any, table: str) -> list[tuple[str, str]]:
    """Drop the table's foreign keys (until the transaction adds them back); their names and definitions."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        (table,),
    )
    keys = [(str(name), str(definition)) for name, definition in cur.fetchall()]
    for name, _ in keys:
        cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quoted(name)}")
    return keys


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _distinct(left: str, right: str, columns: Iterable[str]) -> str:
    columns = list(columns)
    return f"({_names(columns, left + '.')}) IS DISTINCT FROM ({_names(columns, right + '.')})"


def _changes(cur: Any, temp: str, table: str, entity: Entity) -> list[Change]:
    """What the stored rows that are about to be updated mean to their suppliers."""
    columns, key = entity.columns, entity.key[0]
    width = len(columns)
    found: list[Change] = []
    # a server-side cursor: the changed rows come 2,000 at a time, not all at once into the client
    with cur.connection.cursor(name="opsbot_import_changes") as changed:
        changed.execute(
            f"SELECT {_names(columns, 's.')}, {_names(columns, 't.')} FROM {table} AS s "
            f'JOIN {temp} AS t ON s."{key}" = t."{key}" WHERE {_distinct("s", "t", columns)}'
        )
        while rows := changed.fetchmany(2000):
            for row in rows:
                old = SimpleNamespace(**dict(zip(columns, row[:width], strict=True)))
                found.extend(changes_of(entity.name, old, dict(zip(columns, row[width:], strict=True))))
    return found


def _upsert(cur: Any, temp: str, table: str, entity: Entity) -> tuple[int, int]:
    columns, key = entity.columns, entity.key
    updated = [c for c in columns if c not in key]
    assignments = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in updated)
    cur.execute(
        f"WITH up AS (INSERT INTO {table} AS s ({_names(columns)}) SELECT {_names(columns)} FROM {temp} "
        f"ON CONFLICT ({_names(key)}) DO UPDATE SET {assignments} "
        f"WHERE {_distinct('s', 'EXCLUDED', updated)} RETURNING (xmax = 0) AS fresh) "
        "SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM up"
    )
    inserted, changed = cur.fetchone()
    return int(inserted), int(changed)


def _lines(cur: Any, temp: str, table: str, entity: Entity) -> tuple[int, int]:
    """Order lines have no id of their own (nor a unique key to conflict on): update, then insert."""
    columns, key = entity.columns, entity.key
    values = [c for c in columns if c not in key]
    same = " AND ".join(f'l."{k}" = t."{k}"' for k in key)
    assignments = ", ".join(f'"{c}" = t."{c}"' for c in values)
    cur.execute(
        f"UPDATE {table} AS l SET {assignments} FROM {temp} AS t "
        f"WHERE {same} AND {_distinct('l', 't', values)}"
    )
    updated = cur.rowcount
    cur.execute(
        f"INSERT INTO {table} ({_names(columns)}) SELECT {_names(columns, 't.')} FROM {temp} AS t "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS l WHERE {same})"
    )
    return int(cur.rowcount), int(updated)

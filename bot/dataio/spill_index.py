"""What the check of an import remembers of the rows before, kept on disk so memory stays flat.

A temporary SQLite database (stdlib `sqlite3`, no journal, no fsync, a bounded page cache) holds, per
entity, the key of each checked row with where it was first seen and its supplier (duplicates, and the
references later files make), and every reference to a record the import does not hold (looked up in
the store at the end). Rows go in and are looked up by the batch: one statement per batch, the keys
passed as one JSON array (`json_each`). The database is deleted when the index is closed.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

CACHE_KIB = 16_384  # the page cache of the index (SQLite's own memory, not Python's)

Key = str | tuple[str, ...]


class Reference(NamedTuple):
    """A row that names a record the import does not hold."""

    target: str  # the entity it names
    value: str  # the key it names
    file: int  # the number of the file (in the order the files were checked)
    row: int
    field: str
    owner: str | None  # the supplier the named record must belong to


def encode(key: Key) -> str:
    """One text for a key of one or more parts, unambiguous: the parts joined by a separator they do not
    hold (the usual case), else marked and each prefixed with its length."""
    if isinstance(key, str):
        return key
    joined = "\x1f".join(key)
    if joined.count("\x1f") == len(key) - 1 and "\x1e" not in joined:
        return joined
    return "\x1e" + "".join(f"{len(part)}:{part}" for part in key)


class SpillIndex:
    """Keys seen per entity (with where and whose) and unresolved references, in a temporary database."""

    def __init__(self, *, cache_kib: int = CACHE_KIB) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="opsbot-import-index-"))
        self._db = sqlite3.connect(self._folder / "index.db", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", "locking_mode=EXCLUSIVE"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        # one transaction for the index's life (never committed: the file is deleted), not one per row
        self._db.execute("BEGIN")
        self._db.execute(
            "CREATE TABLE pending (seq INTEGER PRIMARY KEY, target TEXT NOT NULL, value TEXT NOT NULL,"
            " file INTEGER NOT NULL, row INTEGER NOT NULL, field TEXT NOT NULL, owner TEXT)"
        )
        self._tables: dict[str, str] = {}  # entity -> its table of keys
        self._indexed = False

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def _table(self, entity: str, *, create: bool = False) -> str | None:
        table = self._tables.get(entity)
        if table is None and create:
            table = self._tables[entity] = f"keys_{len(self._tables)}"
            self._db.execute(
                f"CREATE TABLE {table} (k TEXT PRIMARY KEY, at INTEGER NOT NULL, supplier TEXT NOT NULL)"
                " WITHOUT ROWID"
            )
        return table

    def first_seen(self, entity: str, keys: Iterable[Key]) -> dict[Key, int]:
        """The keys of `entity` already added, each with where it was first seen."""
        table = self._table(entity)
        if table is None:
            return {}
        by_text = {encode(k): k for k in keys}
        if not by_text:
            return {}
        rows = self._db.execute(
            f"SELECT k, at FROM json_each(?) AS j JOIN {table} ON {table}.k = j.value",
            (json.dumps(list(by_text), ensure_ascii=False),),
        )
        return {by_text[k]: at for k, at in rows}

    def owners(self, entity: str, keys: Iterable[str]) -> dict[str, str]:
        """The keys of `entity` that were added, each with its supplier ("" if it has none)."""
        table = self._table(entity)
        values = list(dict.fromkeys(keys))
        if table is None or not values:
            return {}
        rows = self._db.execute(
            f"SELECT k, supplier FROM json_each(?) AS j JOIN {table} ON {table}.k = j.value",
            (json.dumps(values, ensure_ascii=False),),
        )
        return dict(rows)

    def add(self, entity: str, rows: Sequence[tuple[Key, int, str]]) -> None:
        """Keys of `entity` seen for the first time: (key, where, supplier)."""
        if rows:
            table = self._table(entity, create=True)
            self._db.executemany(
                f"INSERT INTO {table} (k, at, supplier) VALUES (?, ?, ?)",
                [(encode(k), at, supplier) for k, at, supplier in rows],
            )

    def refer(self, references: Sequence[Reference]) -> None:
        """References to records the import does not hold (so far): resolved at the end."""
        if references:
            self._db.executemany(
                "INSERT INTO pending (target, value, file, row, field, owner) VALUES (?, ?, ?, ?, ?, ?)",
                references,
            )

    def unresolved(self, batch: int) -> Iterator[tuple[str, list[tuple[str, int]]]]:
        """(target, [(value, how many rows name it)]) in batches, in the order they were first named."""
        if not self._indexed:
            self._db.execute("CREATE INDEX pending_by_value ON pending (target, value, seq)")
            self._indexed = True
        targets = [
            t for (t,) in self._db.execute("SELECT target FROM pending GROUP BY target ORDER BY min(seq)")
        ]
        for target in targets:
            cursor = self._db.execute(
                "SELECT value, count(*) FROM pending WHERE target = ? GROUP BY value ORDER BY min(seq)",
                (target,),
            )
            while chunk := cursor.fetchmany(batch):
                yield target, chunk

    def first_references(self, target: str, values: Sequence[str], limit: int) -> dict[str, list[Reference]]:
        """The first `limit` references to each of `values` of `target`, in the order they were made."""
        rows = self._db.execute(
            "SELECT target, value, file, row, field, owner FROM ("
            " SELECT *, row_number() OVER (PARTITION BY value ORDER BY seq) AS n FROM pending"
            " WHERE target = ? AND value IN (SELECT value FROM json_each(?))"
            ") WHERE n <= ? ORDER BY seq",
            (target, json.dumps(list(values), ensure_ascii=False), limit),
        )
        found: dict[str, list[Reference]] = {}
        for row in rows:
            found.setdefault(row[1], []).append(Reference(*row))
        return found

"""`opsbot import PATH`: find the files, check every row, then apply them all in one transaction.

Each file is read and checked once; its checked rows are spilled to a temporary file (bounded memory)
and written from there: on SQLite compared in Python batch by batch (`bot.dataio.apply`), on
PostgreSQL copied into a temporary table and upserted in SQL (`bot.dataio.pg_copy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dataio.apply import Counts, Spill, SqlStore, apply_rows
from bot.dataio.entities import ENTITIES, FORMATS, Entity, entity_of
from bot.dataio.pg_copy import copy_rows
from bot.dataio.readers import Opener, open_binary
from bot.dataio.validate import RowError, Validation, validate
from bot.notifications.changes import Change
from bot.notifications.queue import queue_notifications
from bot.notifications.settings import NotificationSettings
from bot.storage.tables import DataImportRow, InventoryChangeRow
from dialogue.errors import OpsbotError

# (file, what is being done: "checking") -> how to open it (e.g. behind a progress bar); each file is
# read once: the checked rows are kept (`Spill`) for the write
OpenerFor = Callable[[Path, str], Opener]


class ImportPathError(OpsbotError):
    """PATH holds no file of the contract."""


@dataclass
class ImportReport:
    files: list[tuple[Path, Entity]]
    validation: Validation
    counts: dict[str, Counts] = field(default_factory=dict)
    applied: bool = False
    changes: list[Change] = field(
        default_factory=list
    )  # what the suppliers are told of (none the first time)
    notified: int = 0  # messages queued or held for linked chats

    @property
    def errors(self) -> list[RowError]:
        return self.validation.errors


def find_files(path: Path) -> tuple[list[tuple[Path, Entity]], list[RowError]]:
    """The contract's files at PATH in the order of their dependencies, and the files it cannot place."""
    if not path.exists():
        raise ImportPathError(f"no such file or folder: {path}")
    candidates = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    found: list[tuple[Path, Entity]] = []
    unknown: list[RowError] = []
    names = ", ".join(e.name for e in ENTITIES)
    for candidate in candidates:
        entity = entity_of(candidate)
        if entity is not None:
            found.append((candidate, entity))
        elif candidate.suffix.lower() in FORMATS or not path.is_dir():
            reason = f"the file name names no entity (one of {names}; as .csv, .jsonl or .xlsx)"
            unknown.append(RowError(candidate.name, 0, "", reason))
    order = {e.name: n for n, e in enumerate(ENTITIES)}
    found.sort(key=lambda item: (order[item[1].name], item[0].name))
    if not found and not unknown:
        raise ImportPathError(f"{path} holds no file named after an entity ({names})")
    return found, unknown


def run_import(
    engine: Engine,
    path: Path,
    *,
    now: datetime,
    dry_run: bool = False,
    opener_for: OpenerFor | None = None,
    notifications: NotificationSettings | None = None,
    source: str | None = None,
) -> ImportReport:
    """Check every file at `path`; unless there is an error or `dry_run`, apply them in one transaction.

    The changes a supplier cares about are told to its linked chats in the same transaction
    (`notifications`, default settings when None); the first import of a company tells nobody.
    Stock history names the import "import:<source>" (default: the file's name).
    """
    files, unknown = find_files(path)

    def opener(file: Path, doing: str) -> Opener:
        return opener_for(file, doing) if opener_for else open_binary

    def check(conn: Connection, keeper: Spill | None) -> ImportReport:
        validation = validate(files, SqlStore(conn), on_file=lambda f: opener(f, "checking"), keeper=keeper)
        for error in unknown:
            validation.error(error.file, error.row, error.field, error.reason)
        return ImportReport(files, validation)

    spill = None if dry_run else Spill()  # the checked rows, so they are read and checked once
    try:
        with engine.connect() as conn:
            report = check(conn, spill)
        if spill is not None and report.validation.ok:
            with engine.begin() as writing:
                _apply(writing, path, spill, report, now=now, notifications=notifications, source=source)
            _refresh_statistics(engine, report)
    finally:
        if spill is not None:
            spill.close()
    return report


def _apply(
    conn: Connection,
    path: Path,
    spill: Spill,
    report: ImportReport,
    *,
    now: datetime,
    notifications: NotificationSettings | None,
    source: str | None = None,
) -> None:
    """Write the checked rows of every file on the transaction of `conn`."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size=-64000")  # 64 MB of pages: as fast as 200 MB, and a flat RSS
        conn.exec_driver_sql("PRAGMA temp_store=MEMORY")
    earlier = conn.execute(select(func.count()).select_from(DataImportRow)).scalar_one() > 0
    changes: list[Change] = []
    for file, entity in report.files:
        if conn.dialect.name == "postgresql" and entity.name != "stock":
            counts = copy_rows(conn, entity, spill.batches(file), changes=changes)
        else:
            by = f"import:{source or file.name}"
            counts = apply_rows(conn, entity, spill.batches(file), now=now, changes=changes, changed_by=by)
        total = report.counts.setdefault(entity.name, Counts())
        total.inserted += counts.inserted
        total.updated += counts.updated
        total.unchanged += counts.unchanged
    conn.execute(
        insert(DataImportRow),
        {
            "source": str(path.resolve())[-500:],
            "counts": {name: c.as_dict() for name, c in report.counts.items()},
            "imported_at": now,
        },
    )
    if earlier:
        report.changes = changes
        settings = notifications or NotificationSettings()
        report.notified = queue_notifications(conn, changes, now=now, settings=settings)
    report.applied = True


def _refresh_statistics(engine: Engine, report: ImportReport) -> None:
    """ANALYZE the written tables on PostgreSQL: without fresh statistics after a bulk load its planner
    sorted a sales question on disk (744 ms against 292 ms with them, docs/metrics.md). SQLite's
    planner needs none for these queries."""
    if engine.dialect.name != "postgresql":
        return
    tables = sorted({entity.table.name for _file, entity in report.files})
    if any(entity.name == "stock" for _file, entity in report.files):
        tables.append(InventoryChangeRow.__tablename__)  # stock writes its history too
    with engine.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(f'ANALYZE "{table}"')


def imports_recorded(engine: Engine) -> int:
    """How many imports were applied to this database."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(DataImportRow)).scalar_one())


async def import_was_run(sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
    """Whether `opsbot import` was ever applied here (then `opsbot run --setup` seeds no demo)."""
    async with sessionmaker() as s:
        count = (await s.execute(select(func.count()).select_from(DataImportRow))).scalar_one()
    return int(count) > 0

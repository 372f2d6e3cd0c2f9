"""`opsbot import PATH` and `opsbot data schema`: the operator's own data in, by file."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bot.cli.base import ConfigOption, app, command, load
from bot.dataio.validate import RowError
from dialogue.clock import system_clock
from dialogue.errors import OpsbotError

data_app = typer.Typer(help="The data contract: JSON Schemas of the entities `opsbot import` takes.")
app.add_typer(data_app, name="data")

PROGRESS_FROM_BYTES = 1_000_000  # smaller files go by without a bar
SHOWN_ERRORS = 50


@command(app, "import")
def import_data(
    path: Path = typer.Argument(..., help="A file (orders.csv, orders.jsonl, orders.xlsx, …) or a folder."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row; write nothing."),
    config_path: Path | None = ConfigOption,
) -> None:
    """Import suppliers, customers, products, orders, order lines, invoices and stock (docs/data.md).

    Every row is checked first; on any error nothing is written. Rows are upserted by id, in one
    transaction: importing the same files again changes nothing.
    """
    from sqlalchemy import inspect

    from bot.dataio.apply import sync_engine
    from bot.dataio.importer import run_import
    from bot.dataio.readers import Opener, open_binary

    config = load(config_path)
    engine = sync_engine(config.database_url)
    console = Console(highlight=False)
    try:
        if not inspect(engine).has_table("data_imports"):
            raise OpsbotError("the database is not migrated: run `opsbot db upgrade` first")
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as progress:

            def opener_for(file: Path, doing: str) -> Opener:
                if file.stat().st_size < PROGRESS_FROM_BYTES:
                    return open_binary

                def open_with_bar(p: Path) -> IO[bytes]:
                    return progress.open(p, "rb", description=f"{doing} {p.name}")

                return open_with_bar

            report = run_import(
                engine,
                path,
                now=system_clock(),
                dry_run=dry_run,
                opener_for=opener_for,
                notifications=config.settings.notifications,
            )
    finally:
        engine.dispose()
    if not report.validation.ok:
        _print_errors(console, report.errors, report.validation.error_count)
        raise typer.Exit(1)
    rows = report.validation.rows
    if dry_run:
        checked = ", ".join(f"{n} {name}" for name, n in rows.items()) or "no rows"
        console.print(f"checked {checked}: no errors (dry run: nothing written)")
        return
    table = Table("entity", "rows", "inserted", "updated", "unchanged", title=f"imported {path}")
    for name, counts in report.counts.items():
        table.add_row(name, str(rows.get(name, 0)), *(str(v) for v in counts.as_dict().values()))
    console.print(table)
    if report.notified:
        console.print(
            f"{report.notified} notifications to linked supplier chats ({len(report.changes)} changes)"
        )


def _print_errors(console: Console, errors: list[RowError], total: int) -> None:
    table = Table("file", "row", "field", "reason", title=f"{total} error(s): nothing was imported")
    for e in errors[:SHOWN_ERRORS]:
        table.add_row(e.file, str(e.row) if e.row else "-", e.field or "-", e.reason)
    console.print(table)
    if total > SHOWN_ERRORS:
        console.print(f"… and {total - SHOWN_ERRORS} more")


@command(data_app, "schema")
def data_schema(
    out: Path = typer.Option(Path("docs/schemas"), "--out", help="Folder to write <entity>.schema.json to."),
    check: bool = typer.Option(False, "--check", help="Only report whether the files are up to date."),
) -> None:
    """Write the JSON Schema of each entity of the data contract (generated from its pydantic model)."""
    from bot.dataio.schemas import schema_files, write_schemas

    if check:
        stale = [
            name
            for name, text in schema_files().items()
            if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != text
        ]
        if stale:
            raise OpsbotError(f"out of date in {out}: {', '.join(stale)} (run `opsbot data schema`)")
        typer.echo(f"{out}: up to date")
        return
    for written in write_schemas(out):
        typer.echo(f"wrote {written}")

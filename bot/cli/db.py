"""`opsbot db upgrade`, `opsbot db seed-demo` and `opsbot db reset-demo`."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.base import ConfigOption, command, db_app, load, run_with_engine, safe_url
from dialogue.clock import system_clock
from dialogue.errors import OpsbotError


@command(db_app, "upgrade")
def db_upgrade(config_path: Path | None = ConfigOption, revision: str = "head") -> None:
    """Apply the database migrations (Alembic)."""
    from bot.storage.migrate import upgrade

    config = load(config_path)
    run_with_engine(config, lambda engine: upgrade(engine, revision))
    typer.echo(f"database at {revision}: {safe_url(config.database_url)}")


@command(db_app, "seed-demo")
def db_seed_demo(
    config_path: Path | None = ConfigOption,
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when suppliers already exist."),
) -> None:
    """Write the deterministic demo data (suppliers, customers, products, orders, invoices, stock)."""
    from bot.seed import is_empty, seed_demo
    from bot.storage.db import make_sessionmaker

    async def go(engine: AsyncEngine) -> dict[str, int] | None:
        sessionmaker = make_sessionmaker(engine)
        if not await is_empty(sessionmaker):
            if if_empty:
                return None
            raise OpsbotError("the database already holds data; seed-demo writes into an empty database only")
        return await seed_demo(sessionmaker, today=system_clock().date())

    counts = run_with_engine(load(config_path), go)
    typer.echo("demo data already present" if counts is None else f"demo data written: {counts}")


@command(db_app, "reset-demo")
def db_reset_demo(
    config_path: Path | None = ConfigOption,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Remove the demo data (only the demo's suppliers, customers, products, orders, invoices, stock)."""
    from bot.dataio.demo import reset_demo

    if not yes:
        typer.confirm(
            "Remove the demo's suppliers, customers, products, orders, invoices and stock?", abort=True
        )

    async def go(engine: AsyncEngine) -> dict[str, int]:
        async with engine.begin() as conn:
            return await conn.run_sync(reset_demo)

    removed = run_with_engine(load(config_path), go)
    typer.echo(f"demo data removed: {removed}" if any(removed.values()) else "no demo data to remove")

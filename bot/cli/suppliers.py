"""`opsbot suppliers invite`: a one-time code that links a Telegram user to a supplier."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.base import ConfigOption, command, fail, load, run_with_engine, suppliers_app
from dialogue.clock import system_clock


@command(suppliers_app, "invite")
def suppliers_invite(
    supplier_id: str = typer.Argument(..., help="Supplier id, e.g. SUP-001"),
    config_path: Path | None = ConfigOption,
    ttl_hours: float | None = typer.Option(
        None, help="Code lifetime (default dialogue.link_code_ttl_hours)."
    ),
) -> None:
    """Print a one-time link code and the t.me link that links a Telegram user to SUPPLIER_ID."""
    from bot.storage.accounts import SqlAccounts
    from bot.storage.db import make_sessionmaker

    config = load(config_path)
    ttl = timedelta(hours=ttl_hours or config.settings.dialogue.link_code_ttl_hours)

    async def go(engine: AsyncEngine) -> tuple[str, datetime]:
        return await SqlAccounts(make_sessionmaker(engine), clock=system_clock).invite(supplier_id, ttl)

    try:
        code, expires = run_with_engine(config, go)
    except LookupError as exc:
        raise fail(str(exc.args[0])) from None
    username = config.settings.telegram.bot_username
    typer.echo(f"code: {code}")
    typer.echo(f"link: https://t.me/{username}?start={code}")
    typer.echo(f"expires: {expires.isoformat(timespec='minutes')} (works once)")

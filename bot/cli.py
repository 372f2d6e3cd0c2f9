"""The `opsbot` command line."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer

from bot.cli_base import ConfigOption, app, db_app, suppliers_app, train_app
from bot.config import AppConfig, load_config
from bot.errors import ConfigError, OpsbotError


def _config(path: Path | None) -> AppConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def _log(config: AppConfig) -> None:
    from bot.logging_setup import configure_logging

    configure_logging(config.settings.app.log_level, [v for v in config.secrets.model_dump().values() if v])


async def _with_engine(config: AppConfig, fn: Any) -> Any:
    from bot.storage.db import make_engine

    engine = make_engine(config.database_url)
    try:
        return await fn(engine)
    finally:
        await engine.dispose()


@db_app.command("upgrade")
def db_upgrade(config_path: Path | None = ConfigOption, revision: str = "head") -> None:
    """Apply the database migrations (Alembic)."""
    config = _config(config_path)
    from bot.storage.migrate import upgrade

    asyncio.run(_with_engine(config, lambda e: upgrade(e, revision)))
    typer.echo(f"database at {revision}: {_safe_url(config.database_url)}")


@db_app.command("seed-demo")
def db_seed_demo(
    config_path: Path | None = ConfigOption,
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when suppliers already exist."),
) -> None:
    """Write the deterministic demo data (suppliers, customers, products, orders, invoices, stock)."""
    config = _config(config_path)
    from bot.seed import is_empty, seed_demo
    from bot.storage.db import make_sessionmaker
    from dialogue.clock import system_clock

    async def go(engine: Any) -> dict[str, int] | None:
        sm = make_sessionmaker(engine)
        if not await is_empty(sm):
            if if_empty:
                return None
            raise OpsbotError("the database already holds data; seed-demo writes into an empty database only")
        return await seed_demo(sm, today=system_clock().date())

    try:
        counts = asyncio.run(_with_engine(config, go))
    except OpsbotError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo("demo data already present" if counts is None else f"demo data written: {counts}")


@suppliers_app.command("invite")
def suppliers_invite(
    supplier_id: str = typer.Argument(..., help="Supplier id, e.g. SUP-001"),
    config_path: Path | None = ConfigOption,
    ttl_hours: float | None = typer.Option(
        None, help="Code lifetime (default dialogue.link_code_ttl_hours)."
    ),
) -> None:
    """Print a one-time link code and the t.me link that links a Telegram user to SUPPLIER_ID."""
    config = _config(config_path)
    from bot.backend_sql import SqlAccounts
    from bot.storage.db import make_sessionmaker
    from dialogue.clock import system_clock

    ttl = timedelta(hours=ttl_hours or config.settings.dialogue.link_code_ttl_hours)

    async def go(engine: Any) -> tuple[str, Any]:
        return await SqlAccounts(make_sessionmaker(engine), clock=system_clock).invite(supplier_id, ttl)

    try:
        code, expires = asyncio.run(_with_engine(config, go))
    except LookupError as exc:
        typer.secho(f"error: {exc.args[0]}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    username = config.settings.telegram.bot_username
    typer.echo(f"code: {code}")
    typer.echo(f"link: https://t.me/{username}?start={code}")
    typer.echo(f"expires: {expires.isoformat(timespec='minutes')} (works once)")


@train_app.command("all")
def train_all(
    config_path: Path | None = ConfigOption,
    if_missing: bool = typer.Option(
        False, "--if-missing", help="Train only models that are missing or stale."
    ),
) -> None:
    """Train every model the bot needs (NLU classifier, reply model)."""
    config = _config(config_path)
    from bot.models import ensure_models

    trained = ensure_models(config, force=not if_missing, progress=True)
    typer.echo("trained: " + (", ".join(trained) if trained else "nothing (all models up to date)"))


@app.command("run")
def run(
    config_path: Path | None = ConfigOption,
    host: str | None = typer.Option(None, help="Bind address (default server.host, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default server.port, 8080)."),
    setup: bool = typer.Option(
        False,
        "--setup",
        help="First migrate the DB, seed the demo data if it is empty, train missing models.",
    ),
) -> None:
    """Start the bot: webhooks, web chat, workers, outbox sender and scheduler in one process."""
    config = _config(config_path)
    _log(config)
    from bot.server import serve, setup_demo

    try:
        if setup:
            asyncio.run(setup_demo(config))
        asyncio.run(serve(config, host=host, port=port))
    except OpsbotError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass


@app.command("chat")
def chat(
    config_path: Path | None = ConfigOption,
    sender: str = typer.Option("console", help="Who you are in the conversation."),
    supplier: str | None = typer.Option("SUP-001", help="Act as this supplier (demo mode); '' for none."),
) -> None:
    """Chat with the bot in the terminal, through the same inbox/outbox path as every channel."""
    config = _config(config_path)
    _log(config)
    from bot.server import console_chat

    with contextlib.suppress(KeyboardInterrupt, EOFError):
        asyncio.run(console_chat(config, sender=sender, supplier_id=supplier or None))


def _safe_url(url: str) -> str:
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _register_optional_commands() -> None:
    """Command modules of the NLU, reply model and platform adapters register themselves on import."""
    import importlib

    for module in ("bot.cli_nlu", "bot.cli_nlg", "bot.cli_telegram", "bot.digest", "bot.cli_admin"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


_register_optional_commands()


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)

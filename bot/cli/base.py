"""The typer application, its command groups, and the error edge every command runs behind."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import AppConfig, load_config
from bot.errors import ConfigError
from bot.logging_setup import configure_logging, log_file
from dialogue.errors import OpsbotError

logger = logging.getLogger("bot.cli")

app = typer.Typer(
    name="opsbot",
    help="opsbot: a chatbot for B2B e-commerce operations (Telegram, Slack, web chat).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Train models (NLU intent classifier, reply model).", no_args_is_help=True)
evaluate_app = typer.Typer(help="Evaluate models on held-out data.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations and demo data.", no_args_is_help=True)
suppliers_app = typer.Typer(help="Supplier accounts and account linking.", no_args_is_help=True)
telegram_app = typer.Typer(help="Telegram bot set-up.", no_args_is_help=True)
conversations_app = typer.Typer(help="Inspect conversations and their turn log.", no_args_is_help=True)

app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(db_app, name="db")
app.add_typer(suppliers_app, name="suppliers")
app.add_typer(telegram_app, name="telegram")
app.add_typer(conversations_app, name="conversations")

ConfigOption = typer.Option(
    None, "--config", "-c", help="Path of config.yaml (default: $OPSBOT_CONFIG or ./config.yaml)."
)

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one red line for the user; raise the returned Exit."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def command(group: typer.Typer, name: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a command behind the error edge: the user gets one line, the log gets the traceback."""

    def register(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except (typer.Exit, click.exceptions.ClickException, click.exceptions.Abort):
                raise
            except ConfigError as exc:
                raise fail(str(exc), 2) from None
            except OpsbotError as exc:
                logger.info("opsbot %s: %s", name or fn.__name__, exc, exc_info=True)
                raise fail(str(exc)) from None
            except KeyboardInterrupt:
                raise typer.Exit(130) from None
            except Exception as exc:
                path = _log_unexpected(name or fn.__name__)
                raise fail(f"unexpected {type(exc).__name__}: {exc} (the traceback is in {path})") from None

        group.command(name)(guarded)
        return fn

    return register


def _log_unexpected(command_name: str) -> Path:
    """Write the current exception's traceback to the log file (configuring one if need be)."""
    root = logging.getLogger()
    files = [h for h in root.handlers if isinstance(h, logging.FileHandler)]
    if not files:
        configure_logging("INFO", [], var_dir=Path("var"), terminal_level="CRITICAL")
        files = [h for h in root.handlers if isinstance(h, logging.FileHandler)]
    logger.exception("opsbot %s failed", command_name)
    return Path(files[0].baseFilename) if files else log_file(Path("var"))


def load(config_path: Path | None, *, terminal_level: str | None = "WARNING") -> AppConfig:
    """Load the config and set up logging: the file at the configured level, the terminal as given."""
    config = load_config(config_path)
    configure_logging(
        config.settings.app.log_level,
        [v for v in config.secrets.model_dump().values() if v],
        var_dir=config.settings.app.var_dir,
        terminal_level=terminal_level,
    )
    return config


async def with_engine(config: AppConfig, fn: Callable[[AsyncEngine], Awaitable[R]]) -> R:
    """Run `fn` with an engine on the configured database, disposed afterwards."""
    from bot.storage.db import make_engine

    engine = make_engine(config.database_url)
    try:
        return await fn(engine)
    finally:
        await engine.dispose()


def run_with_engine(config: AppConfig, fn: Callable[[AsyncEngine], Awaitable[R]]) -> R:
    return asyncio.run(with_engine(config, fn))


def safe_url(url: str) -> str:
    """A database URL without its credentials."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


__all__: list[Any] = ["ConfigOption", "app", "command", "fail", "load", "run_with_engine", "safe_url"]

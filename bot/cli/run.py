"""`opsbot run`, `opsbot chat` and `opsbot train all`."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import typer

from bot.application import Role
from bot.cli.base import ConfigOption, app, command, load, train_app


@command(app, "run")
def run(
    config_path: Path | None = ConfigOption,
    host: str | None = typer.Option(None, help="Bind address (default server.host, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default server.port, 8080)."),
    setup: bool = typer.Option(
        False,
        "--setup",
        help="First migrate the DB, seed the demo data if it is empty, train missing models.",
    ),
    role: Role = typer.Option(
        Role.ALL,
        "--role",
        help="all: everything in one process; web: receive and acknowledge; worker: process and send.",
    ),
    proxy_headers: bool | None = typer.Option(
        None,
        "--proxy-headers/--no-proxy-headers",
        help="Behind a reverse proxy: client address and scheme from X-Forwarded-For/-Proto, believed "
        "from server.forwarded_allow_ips only (default server.proxy_headers).",
    ),
) -> None:
    """Start the bot: webhooks, web chat, workers, outbox sender and scheduler (as --role says)."""
    from bot.serve import serve, serving_loop, setup_demo

    config = load(config_path, terminal_level=None)
    if setup:
        asyncio.run(setup_demo(config))
    with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=serving_loop()) as runner:
        runner.run(serve(config, host=host, port=port, role=role, proxy_headers=proxy_headers))


@command(app, "chat")
def chat(
    config_path: Path | None = ConfigOption,
    sender: str = typer.Option("console", help="Who you are in the conversation."),
    supplier: str | None = typer.Option("SUP-001", help="Act as this supplier (demo mode); '' for none."),
) -> None:
    """Chat with the bot in the terminal, through the same inbox/outbox path as every channel."""
    from bot.console import console_chat

    # The terminal is the conversation: warnings go to the log file (var/logs), errors show.
    config = load(config_path, terminal_level="ERROR")
    with contextlib.suppress(KeyboardInterrupt, EOFError):
        asyncio.run(console_chat(config, sender=sender, supplier_id=supplier or None))


@command(train_app, "all")
def train_all(
    config_path: Path | None = ConfigOption,
    if_missing: bool = typer.Option(
        False, "--if-missing", help="Train only models that are missing or stale."
    ),
) -> None:
    """Train every model the bot needs (NLU classifier, reply model)."""
    from bot.ml import ensure_models

    settings = load(config_path).settings
    trained = ensure_models(settings.nlu, settings.nlg, force=not if_missing, progress=True)
    typer.echo("trained: " + (", ".join(trained) if trained else "nothing (all models up to date)"))

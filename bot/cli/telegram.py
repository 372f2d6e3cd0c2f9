"""`opsbot telegram ...`: register or remove the bot's webhook."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import typer
from telegram.error import TelegramError

from adapters.telegram import (
    ALLOWED_UPDATES,
    WEBHOOK_PATH,
    TelegramSetupError,
    register_webhook,
    unregister_webhook,
)
from bot.cli.base import ConfigOption, command, fail, load, telegram_app

OFFICIAL_API = "https://api.telegram.org/bot"


@command(telegram_app, "set-webhook")
def set_webhook(
    url: str = typer.Argument(
        ..., help=f"Public HTTPS URL of the webhook, e.g. https://ops.example.com{WEBHOOK_PATH}"
    ),
    config: Path | None = ConfigOption,
) -> None:
    """Register URL as the webhook, with TELEGRAM_WEBHOOK_SECRET and the update types opsbot handles."""
    cfg = load(config)
    settings = cfg.settings.telegram
    parts = urlsplit(url)
    if parts.scheme != "https" and settings.api_base_url == OFFICIAL_API:
        raise fail("Telegram only delivers webhooks to https:// URLs", 2)
    if not parts.netloc:
        raise fail(f"not a URL: {url!r}", 2)
    if not parts.path.rstrip("/").endswith(WEBHOOK_PATH):
        typer.echo(
            f"warning: opsbot serves the webhook at {WEBHOOK_PATH}; {url} does not end with it", err=True
        )
    token, secret = cfg.secrets.TELEGRAM_BOT_TOKEN, cfg.secrets.TELEGRAM_WEBHOOK_SECRET
    if not token or not secret:
        raise fail("set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET in the environment", 2)
    try:
        info = asyncio.run(register_webhook(settings, token, secret, url))
    except (TelegramError, TelegramSetupError) as exc:
        raise fail(f"Telegram refused the webhook: {exc}") from None
    typer.echo(
        f"webhook set: {info['url']} (updates: {', '.join(info['allowed_updates'] or ALLOWED_UPDATES)}; "
        f"pending: {info['pending_update_count']})"
    )


@command(telegram_app, "delete-webhook")
def delete_webhook(config: Path | None = ConfigOption) -> None:
    """Remove the webhook (pending updates are kept), e.g. before switching to telegram.mode: polling."""
    cfg = load(config)
    token = cfg.secrets.TELEGRAM_BOT_TOKEN
    if not token:
        raise fail("set TELEGRAM_BOT_TOKEN in the environment", 2)
    try:
        asyncio.run(unregister_webhook(cfg.settings.telegram, token))
    except (TelegramError, TelegramSetupError) as exc:
        raise fail(str(exc)) from None
    typer.echo("webhook deleted; pending updates kept")

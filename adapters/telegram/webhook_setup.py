"""Registering and removing the bot's webhook (used by `opsbot telegram set-webhook`)."""

from __future__ import annotations

from typing import Any

from adapters.telegram.client import TelegramSetupError, initialized_bot
from adapters.telegram.inbound import ALLOWED_UPDATES
from adapters.telegram.settings import TelegramSettings


async def register_webhook(settings: TelegramSettings, token: str, secret: str, url: str) -> dict[str, Any]:
    """setWebhook with the secret token and the update types the adapter handles; return getWebhookInfo."""
    if not token:
        raise TelegramSetupError("TELEGRAM_BOT_TOKEN is not set")
    if not secret:
        raise TelegramSetupError("TELEGRAM_WEBHOOK_SECRET is not set")
    async with initialized_bot(settings, token) as bot:
        await bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES), drop_pending_updates=False
        )
        info = await bot.get_webhook_info()
    return {
        "url": info.url,
        "pending_update_count": info.pending_update_count,
        "allowed_updates": list(info.allowed_updates or ()),
    }


async def unregister_webhook(settings: TelegramSettings, token: str) -> None:
    """deleteWebhook, keeping pending updates (so polling picks them up)."""
    if not token:
        raise TelegramSetupError("TELEGRAM_BOT_TOKEN is not set")
    async with initialized_bot(settings, token) as bot:
        await bot.delete_webhook(drop_pending_updates=False)

"""Telegram: Bot API updates <-> core messages, over a webhook or long polling."""

from adapters.telegram.adapter import SECRET_HEADER, WEBHOOK_PATH, TelegramAdapter, telegram_pacer
from adapters.telegram.client import TelegramSetupError
from adapters.telegram.inbound import ALLOWED_UPDATES, MalformedUpdate, Translation, translate_update
from adapters.telegram.settings import TelegramSettings
from adapters.telegram.webhook_setup import register_webhook, unregister_webhook

__all__ = [
    "ALLOWED_UPDATES",
    "SECRET_HEADER",
    "WEBHOOK_PATH",
    "MalformedUpdate",
    "TelegramAdapter",
    "TelegramSettings",
    "TelegramSetupError",
    "Translation",
    "register_webhook",
    "telegram_pacer",
    "translate_update",
    "unregister_webhook",
]

"""The fake Telegram Bot API's fixtures, for the notifications' end-to-end tests."""

from tests.fakes.telegram_api import telegram_api, telegram_api_server

__all__ = ["telegram_api", "telegram_api_server"]

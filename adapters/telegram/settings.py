"""The `telegram:` settings, owned by the Telegram adapter; bot.config composes them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nlu.settings import SettingsSection


class TelegramSettings(SettingsSection):
    mode: Literal["auto", "webhook", "polling", "off"] = "auto"
    api_base_url: str = "https://api.telegram.org/bot"
    file_base_url: str = "https://api.telegram.org/file/bot"
    bot_username: str = "opsbot"
    allow_groups: bool = False
    per_chat_interval_seconds: float = Field(default=1.0, ge=0)
    global_rate_per_second: float = Field(default=30.0, gt=0)
    poll_timeout_seconds: int = Field(default=30, ge=0)

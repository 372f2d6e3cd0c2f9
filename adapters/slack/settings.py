"""The `slack:` settings, owned by the Slack adapter; bot.config composes them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nlu.settings import SettingsSection


class SlackDigestSettings(SettingsSection):
    cron: str = "30 8 * * mon-fri"
    timezone: str = "UTC"
    channel: str = ""


class SlackSettings(SettingsSection):
    mode: Literal["auto", "http", "socket", "off"] = "auto"
    api_base_url: str = "https://slack.com/api/"
    sales_channels: tuple[str, ...] = ()
    support_channel: str = ""
    agent_user_ids: tuple[str, ...] = ()
    agent_usergroup: str = ""
    per_channel_interval_seconds: float = Field(default=1.0, ge=0)
    digest: SlackDigestSettings = SlackDigestSettings()

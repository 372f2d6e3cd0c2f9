"""The `notifications:` section of config.yaml."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


class QuietHours(BaseModel):
    """Local hours in which a notification is held; `start` after `end` spans midnight (22:00-07:00)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time
    end: time
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value


class NotificationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="tell linked supplier chats when an import changes data")
    default_language: str = Field(default="en", pattern="^(en|zh)$", description="for a chat not yet seen")
    quiet_hours: QuietHours | None = None
    release_every_seconds: float = Field(default=60.0, gt=0, description="how often held ones are checked")

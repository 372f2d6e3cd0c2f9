"""The `notifications:` section of config.yaml."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dialogue.settings import known_timezone


class QuietHours(BaseModel):
    """Local hours in which a notification is held; `start` after `end` spans midnight (22:00-07:00)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time
    end: time
    timezone: str = "UTC"

    _known_timezone = field_validator("timezone")(known_timezone)


class NotificationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="tell linked supplier chats when an import changes data")
    default_language: str = Field(default="en", pattern="^(en|zh)$", description="for a chat not yet seen")
    quiet_hours: QuietHours | None = None
    release_every_seconds: float = Field(default=60.0, gt=0, description="how often held ones are checked")

"""The `web:` settings, owned by the web chat adapter; bot.config composes them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WebSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    trust_supplier_id: bool = True
    reply_timeout_seconds: float = Field(default=20.0, gt=0)
    allow_remote: bool = Field(default=False, description="serve the web chat to non-loopback clients")

"""The `web:` settings, owned by the web chat adapter; bot.config composes them."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, field_validator

from nlu.settings import SettingsSection


class WebSettings(SettingsSection):
    enabled: bool = True
    trust_supplier_id: bool = Field(
        default=True,
        description="the demo's supplier picker: a local request (loopback client and Host) may name "
        "the supplier it speaks for; never a remote one",
    )
    reply_timeout_seconds: float = Field(default=20.0, gt=0)
    allow_remote: bool = Field(
        default=False,
        description="serve the web chat to non-loopback clients, as signed sessions that link to a "
        "supplier with a one-time code (needs WEB_SESSION_SECRET)",
    )
    session_ttl_minutes: float = Field(
        default=720, gt=0, description="a remote chat session (and its supplier link) ends after this idle"
    )
    embed_origins: tuple[str, ...] = Field(
        default=(),
        description='portals that may frame the chat, as origins ("https://portal.example.com"); '
        "none: no page may frame it",
    )
    messages_per_minute: int = Field(default=20, ge=1, description="per remote session")
    messages_per_minute_per_address: int = Field(default=60, ge=1, description="per remote client address")
    link_attempts_per_hour: int = Field(
        default=10, ge=1, description="one-time codes a remote session, or a client address, may try"
    )
    link_failures_before_lock: int = Field(
        default=5, ge=1, description="wrong codes after which a session (or an address) may try no more"
    )
    link_lock_minutes: int = Field(default=30, ge=1, description="for how long")

    @field_validator("embed_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            parts = urlsplit(origin)
            if parts.scheme not in ("https", "http") or not parts.netloc or parts.path not in ("", "/"):
                raise ValueError(f"{origin!r} is not an origin like https://portal.example.com")
            if any(c in origin for c in " ;,'\""):
                raise ValueError(f"{origin!r} is not an origin like https://portal.example.com")
        return tuple(origin.rstrip("/") for origin in value)

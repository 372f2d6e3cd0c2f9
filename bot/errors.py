"""The error tree of the composition root. Core packages define their own under the same root."""

from __future__ import annotations

from dialogue.errors import OpsbotError


class ConfigError(OpsbotError):
    """A setting is missing or has a bad value; the message names the key."""


__all__ = ["ConfigError", "OpsbotError"]

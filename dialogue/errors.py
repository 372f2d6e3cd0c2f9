"""The opsbot error tree as dialogue and bot see it; the root `OpsbotError` lives in nlu.errors."""

from __future__ import annotations

from nlu.errors import OpsbotError


class DeliveryError(OpsbotError):
    """A reply could not be delivered to a platform."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class TransientDeliveryError(DeliveryError):
    """Worth retrying: timeouts, 5xx, rate limits."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason, permanent=False, retry_after=retry_after)


class PermanentDeliveryError(DeliveryError):
    """Never worth retrying: the user blocked the bot, the channel is gone."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


class ReplyModelError(OpsbotError, ValueError):
    """The reply model, its arguments or one of its batches is unusable (also a ValueError)."""


__all__ = [
    "DeliveryError",
    "OpsbotError",
    "PermanentDeliveryError",
    "ReplyModelError",
    "TransientDeliveryError",
]

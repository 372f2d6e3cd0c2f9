"""Root of the opsbot error tree."""

from __future__ import annotations


class OpsbotError(Exception):
    """Base class of every error opsbot raises on purpose."""


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


class ModelNotTrainedError(OpsbotError):
    """A model directory is missing or stale; run `opsbot train`."""

"""The opsbot error tree as dialogue and bot see it; the root `OpsbotError` lives in nlu.errors."""

from __future__ import annotations

from enum import StrEnum

from nlu.errors import OpsbotError


class DeliveryFailure(StrEnum):
    """Why a delivery failed, as the platform's own error type said (mapped at the adapter edge)."""

    BLOCKED = "blocked"  # the user blocked the bot, or the bot may not post there
    RATE_LIMITED = "rate_limited"  # flood control / HTTP 429; see retry_after
    CHAT_GONE = "chat_gone"  # the chat or channel does not exist (any more), or is archived
    MIGRATED = "migrated"  # a Telegram group became a supergroup; see new_chat_id
    TOO_LARGE = "too_large"  # the message or a file is over the platform's limit
    NETWORK = "network"  # timeout, connection error, HTTP 5xx
    OTHER = "other"


class DeliveryError(OpsbotError):
    """A reply could not be delivered to a platform: why (`kind`), and what to do about it."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        kind: DeliveryFailure = DeliveryFailure.OTHER,
        new_chat_id: str = "",
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.kind = kind
        self.new_chat_id = new_chat_id  # set with kind MIGRATED: where the chat lives now


class TransientDeliveryError(DeliveryError):
    """Worth retrying: timeouts, 5xx, rate limits."""

    def __init__(
        self, reason: str, *, retry_after: float | None = None, kind: DeliveryFailure = DeliveryFailure.OTHER
    ) -> None:
        super().__init__(reason, permanent=False, retry_after=retry_after, kind=kind)


class PermanentDeliveryError(DeliveryError):
    """Never worth retrying as is: the user blocked the bot, the channel is gone, the chat moved."""

    def __init__(
        self, reason: str, *, kind: DeliveryFailure = DeliveryFailure.OTHER, new_chat_id: str = ""
    ) -> None:
        super().__init__(reason, permanent=True, kind=kind, new_chat_id=new_chat_id)


class ReplyModelError(OpsbotError, ValueError):
    """The reply model, its arguments or one of its batches is unusable (also a ValueError)."""


__all__ = [
    "DeliveryError",
    "DeliveryFailure",
    "OpsbotError",
    "PermanentDeliveryError",
    "ReplyModelError",
    "TransientDeliveryError",
]

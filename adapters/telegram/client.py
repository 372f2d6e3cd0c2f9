"""The python-telegram-bot `Bot` the adapter talks through, and the adapter's set-up error."""

from __future__ import annotations

import contextlib
import datetime as dtm
import warnings
from collections.abc import AsyncIterator

from telegram import Bot
from telegram.error import InvalidToken, RetryAfter
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram.settings import TelegramSettings
from dialogue.errors import OpsbotError


class TelegramSetupError(OpsbotError):
    """The Telegram adapter is configured inconsistently (missing token or webhook secret, bad mode)."""


def make_bot(settings: TelegramSettings, token: str, *, pool_size: int = 64) -> Bot:
    """A PTB Bot pointed at settings.api_base_url / file_base_url (a fake or local Bot API in tests)."""
    return Bot(
        token=token,
        base_url=settings.api_base_url,
        base_file_url=settings.file_base_url,
        request=HTTPXRequest(connection_pool_size=pool_size, pool_timeout=10.0),
        get_updates_request=HTTPXRequest(connection_pool_size=2),
    )


def rejected_token() -> TelegramSetupError:
    """The error for a token the Bot API refused (PTB's own message contains the token: never log it)."""
    return TelegramSetupError("TELEGRAM_BOT_TOKEN was rejected by the Telegram Bot API")


@contextlib.asynccontextmanager
async def initialized_bot(settings: TelegramSettings, token: str) -> AsyncIterator[Bot]:
    """A small Bot, initialized (getMe) and shut down again; for one-off commands."""
    bot = make_bot(settings, token, pool_size=2)
    try:
        await bot.initialize()
    except InvalidToken:
        await bot.shutdown()
        raise rejected_token() from None
    try:
        yield bot
    finally:
        await bot.shutdown()


def retry_after_seconds(exc: RetryAfter) -> float:
    """A flood-control wait in seconds, whether PTB gives it as a number or a timedelta (PTB_TIMEDELTA)."""
    with warnings.catch_warnings():  # reading it as a number is deprecated since PTB 22.2; both are fine here
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)

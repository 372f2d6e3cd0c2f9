"""Fixtures of the Telegram adapter tests: the fake Bot API and a webhook harness over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from tests.adapters.telegram.support import Harness, MemoryInbox, PendingEdits, Rejections, build_adapter
from tests.fakes.telegram_api import FakeTelegramAPI, serve_asgi, telegram_api, telegram_api_server

__all__ = ["telegram_api", "telegram_api_server"]  # fixtures of the fake Bot API


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB's future behaviour: RetryAfter.retry_after is a timedelta (the int form warns since PTB 22.2)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def harness(telegram_api: FakeTelegramAPI) -> AsyncIterator[Harness]:
    inbox, edits, rejected = MemoryInbox(), PendingEdits(), Rejections()
    adapter = build_adapter(telegram_api, inbox, edits, rejected=rejected)
    await adapter.start()
    async with (
        serve_asgi(Starlette(routes=list(adapter.routes()))) as base_url,
        httpx.AsyncClient(base_url=base_url, trust_env=False) as client,
    ):
        yield Harness(telegram_api, adapter, inbox, edits, client, rejected)
    await adapter.stop()
    await adapter.close()


@pytest.fixture
async def quick_harness(telegram_api: FakeTelegramAPI) -> AsyncIterator[Harness]:
    """The harness without a real HTTP server in front of the adapter (httpx.ASGITransport): for zoos."""
    inbox, edits, rejected = MemoryInbox(), PendingEdits(), Rejections()
    adapter = build_adapter(telegram_api, inbox, edits, rejected=rejected)
    await adapter.start()
    transport = httpx.ASGITransport(app=Starlette(routes=list(adapter.routes())))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Harness(telegram_api, adapter, inbox, edits, client, rejected)
    await adapter.stop()
    await adapter.close()

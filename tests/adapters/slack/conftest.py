"""Fixtures of the Slack adapter tests: the fake Web API and the events route in process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from adapters.slack import SlackAdapter
from tests.adapters.slack.support import Rejections, make_adapter
from tests.fakes.slack_api import MemoryInbox, slack_api_fixture, slack_api_server_fixture

__all__ = ["slack_api_fixture", "slack_api_server_fixture"]  # fixtures of the fake Web API


@pytest.fixture
async def http() -> AsyncIterator[tuple[httpx.AsyncClient, MemoryInbox, SlackAdapter]]:
    adapter, inbox = make_adapter()
    app = Starlette(routes=list(adapter.routes()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client, inbox, adapter


@pytest.fixture
async def guarded() -> AsyncIterator[tuple[httpx.AsyncClient, MemoryInbox, Rejections]]:
    """The events route with a reject hook: (client, inbox, rejections)."""
    rejections = Rejections()
    adapter, inbox = make_adapter(reject=rejections)
    app = Starlette(routes=list(adapter.routes()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client, inbox, rejections

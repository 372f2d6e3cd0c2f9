"""The real application with its web chat and agent console, for the end-to-end web tests."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Route
from starlette.types import ASGIApp

from dialogue.actions.registry import default_actions
from tests.conftest import MakeRuntime


@pytest.fixture
async def web_runtime(make_runtime: MakeRuntime) -> Any:
    """The whole bot (keyword NLU, echo renderer, demo data) with no Slack desk: the console is the desk."""
    return await make_runtime(
        overrides={"pipeline": {"poll_interval_seconds": 0.05, "send_backoff_base_seconds": 0.05}},
        actions=default_actions(embedder=None),
    )


def console_app(runtime: Any) -> ASGIApp:
    """The application's ASGI app: the web chat and the agent console."""
    assert any(isinstance(route, Route) and route.path == "/agent" for route in runtime.asgi.routes)
    return runtime.asgi  # type: ignore[no-any-return]

"""Socket Mode: the Bolt app's events over a WebSocket instead of `POST /slack/events`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

logger = logging.getLogger(__name__)


class SocketModeConnection:
    """One Socket Mode connection for a Bolt app (needs an app-level token, xapp-...)."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        self._app = app
        self._app_token = app_token
        self._handler: Any = None

    async def connect(self) -> None:
        """Open the connection; idempotent."""
        if self._handler is not None:
            return
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self._handler = AsyncSocketModeHandler(self._app, self._app_token)
        await self._handler.connect_async()
        logger.info("slack: Socket Mode connected")

    async def close(self) -> None:
        """Close the connection; a broken socket never blocks shutdown."""
        handler, self._handler = self._handler, None
        if handler is None:
            return
        try:
            await handler.close_async()
        except Exception:
            logger.warning("slack: closing Socket Mode failed", exc_info=True)

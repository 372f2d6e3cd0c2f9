"""A sales rep on Slack, in a configured sales channel."""

from __future__ import annotations

from dialogue.messages import ChannelKind, Platform
from tests.fakes.backend import FakeBackend
from tests.fakes.conversation import Conversation


def sales_chat(*, history: bool = False) -> Conversation:
    """With `history`, the backend also holds the weekly order history (trends, forecasts)."""
    backend = FakeBackend(history=True) if history else None
    return Conversation(supplier_id=None, channel=ChannelKind.SALES, platform=Platform.SLACK, backend=backend)

"""A sales rep on Slack, in a configured sales channel."""

from __future__ import annotations

from dialogue.messages import ChannelKind, Platform
from tests.fakes.conversation import Conversation


def sales_chat() -> Conversation:
    return Conversation(supplier_id=None, channel=ChannelKind.SALES, platform=Platform.SLACK)

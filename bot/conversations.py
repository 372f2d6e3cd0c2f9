"""Who answers a message: an agent at the Slack support desk, or the dialogue manager.

With a chat desk configured, every message of the support channel (a card's button, a thread message, an
edit) is an agent's action: the `HandoffDesk` turns it into one command for the handoff service, as the
web console and the CLI do. Everything else (suppliers, sales reps) is a conversation with the bot.
"""

from __future__ import annotations

from bot.worker import Handler
from dialogue.clock import Clock
from dialogue.handoff.desk import HandoffDesk
from dialogue.messages import ChannelKind, IncomingMessage, OutgoingMessage
from dialogue.session import Session, TurnRecord


class Conversations:
    """The workers' handler: the desk's messages to the `HandoffDesk`, the others to the manager."""

    def __init__(self, *, manager: Handler, desk: HandoffDesk | None, clock: Clock) -> None:
        """`desk` is None without a Slack support channel: agents then use the console or the CLI."""
        self._manager = manager
        self._desk = desk
        self._clock = clock

    async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]:
        if self._desk is None or message.channel_kind != ChannelKind.SUPPORT:
            return await self._manager.handle(message, session)
        session.last_activity_at = self._clock()
        session.record(TurnRecord(kind="user", text=message.text, data={"desk": True}))  # the channel's log
        return await self._desk.handle(message)

"""Agents at the support desk: their messages go where the workers send them (`bot.conversations`).

desk = AgentDesk(chat)              # chat: a Conversation built with desk=ConversationKey(SLACK, "CSUP")
await desk.click("UANN", "handoff:claim:1")
await desk.says("UANN", "Hello, I am looking at PO-1001", thread=card)
"""

from __future__ import annotations

from datetime import datetime

from dialogue.messages import ChannelKind, ConversationKey, IncomingMessage, OutgoingMessage, Platform, Sender
from dialogue.session import Session
from tests.fakes.conversation import Conversation

DESK = ConversationKey(Platform.SLACK, "CSUP")


class AgentDesk:
    def __init__(self, chat: Conversation) -> None:
        self.chat = chat
        self._n = 0
        self._sessions: dict[str, Session] = {}

    def _session(self, key: ConversationKey) -> Session:
        now: datetime = self.chat.clock()
        return self._sessions.setdefault(key.as_str(), Session(key=key, started_at=now, last_activity_at=now))

    async def _send(
        self, user: str, text: str, *, thread: str = "", callback: str = "", **extra: object
    ) -> list[OutgoingMessage]:
        self._n += 1
        key = ConversationKey(Platform.SLACK, DESK.chat_id, thread)
        message = IncomingMessage(
            platform=Platform.SLACK,
            conversation=key,
            sender=Sender(user, user.lower()),
            text=text,
            external_id=f"desk-{self._n}",
            timestamp=self.chat.clock(),
            channel_kind=ChannelKind.SUPPORT,
            callback_data=callback,
            message_id=f"17000000{self._n:02d}.000100",
            **extra,  # type: ignore[arg-type]
        )
        return await self.chat.conversations.handle(message, self._session(key))

    async def click(self, user: str, value: str) -> list[OutgoingMessage]:
        """An agent presses a card button; returns what only they see."""
        return await self._send(user, "", callback=value)

    async def says(self, user: str, text: str, *, thread: str) -> list[OutgoingMessage]:
        """An agent writes in a card's thread; returns what only they see."""
        return await self._send(user, text, thread=thread)

"""A conversation with the dialogue manager, as a test reads it: say something, look at the replies.

chat = Conversation()                      # a linked supplier (SUP-001) in a Telegram DM
reply = await chat.one("where is PO-1001?")
assert reply.outcome == "order_shipped"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.conversations import Conversations
from dialogue.actions.base import ActionTable, Services
from dialogue.actions.registry import default_actions
from dialogue.clock import ManualClock
from dialogue.embedding import Embedder, HashingEmbedder
from dialogue.handoff.desk import HandoffDesk
from dialogue.handoff.service import HandoffService
from dialogue.llm.gate import ModelGate
from dialogue.manager import DialogueManager, Policy
from dialogue.messages import (
    Attachment,
    Button,
    ChannelKind,
    ConversationKey,
    IncomingMessage,
    Platform,
    Sender,
)
from dialogue.session import Session
from dialogue.settings import HandoffSettings
from tests.fakes.backend import START, FakeAccounts, FakeBackend
from tests.fakes.escalations import FakeAgents, MemoryEscalations, NoRelays
from tests.fakes.nlu import KeywordParser
from tests.fakes.renderer import RecordingRenderer


@dataclass(frozen=True, slots=True)
class Said:
    """One bot reply as a test sees it."""

    outcome: str
    facts: Mapping[str, object]
    language: str
    text: str
    buttons: tuple[Button, ...]
    table: tuple[tuple[str, ...], ...]


class Conversation:
    """One user talking to a DialogueManager wired with the default actions and the fakes.

    `supplier_id`: the supplier account the user has linked (None: not linked).
    """

    def __init__(
        self,
        *,
        supplier_id: str | None = "SUP-001",
        channel: ChannelKind = ChannelKind.PRIVATE,
        platform: Platform = Platform.TELEGRAM,
        embedder: Embedder | None = None,
        faq_threshold: float = 0.36,
        backend: FakeBackend | None = None,
        user: str = "u1",
        policy: Policy | None = None,
        handoff: HandoffSettings | None = None,
        desk: ConversationKey | None = None,
        actions: ActionTable | None = None,
        llm: ModelGate | None = None,
    ) -> None:
        self.clock = ManualClock(START)
        self.backend = backend or FakeBackend()
        links = {(platform.value, user): supplier_id} if supplier_id else {}
        self.accounts = FakeAccounts(links=links)
        self.escalations = MemoryEscalations()
        self.handoff = HandoffService(
            store=self.escalations,
            backend=self.backend,
            clock=self.clock,
            settings=handoff or HandoffSettings(),
            desk=desk,
            llm=llm,
        )
        self.renderer = RecordingRenderer()
        self.parser = KeywordParser(self.backend, today=START.date())
        self.actions = actions or default_actions(
            embedder=embedder or HashingEmbedder(), faq_threshold=faq_threshold
        )
        self.agents = FakeAgents()
        self.desk = (
            HandoffDesk(service=self.handoff, agents=self.agents, relays=NoRelays())
            if desk is not None
            else None
        )
        self.manager = DialogueManager(
            nlu=self.parser,
            renderer=self.renderer,
            services=Services(self.backend, self.accounts, self.handoff, llm=llm),
            clock=self.clock,
            actions=self.actions,
            policy=policy or Policy(handoff=handoff or HandoffSettings()),
        )
        # What the workers run: the support desk's messages to the desk, the others to the manager.
        self.conversations = Conversations(manager=self.manager, desk=self.desk, clock=self.clock)
        self.platform = platform
        self.channel = channel
        self.user = user
        key = ConversationKey(platform, f"chat-{user}")
        self.session = Session(key=key, started_at=START, last_activity_at=START)
        self._n = 0

    async def say(
        self,
        text: str,
        *,
        callback_data: str = "",
        command: str = "",
        args: str = "",
        attachments: tuple[Attachment, ...] = (),
    ) -> list[Said]:
        self._n += 1
        self.clock.advance(seconds=5)
        message = IncomingMessage(
            platform=self.platform,
            conversation=self.session.key,
            sender=Sender(self.user, "Li Wei"),
            text=text,
            external_id=f"m{self._n}",
            timestamp=self.clock(),
            channel_kind=self.channel,
            command=command,
            command_args=args,
            callback_data=callback_data,
            attachments=attachments,
            message_id=f"m{self._n}",
        )
        start = len(self.renderer.calls)
        self.session.held = await self.escalations.holds(self.session.key.as_str())  # as the store loads it
        out = await self.manager.handle(message, self.session)
        self.session.version += 1  # what the store does when it saves the turn
        rendered = iter(self.renderer.calls[start:])
        said = []
        for o in out:
            if "outcome" in o.metadata:  # composed by the reply renderer
                c = next(rendered)
                said.append(Said(c.outcome, c.facts, c.language, o.text, o.buttons, o.table))
            else:  # a handoff notice or a message mirrored to the desk
                said.append(Said(o.kind, {}, self.session.language, o.text, o.buttons, o.table))
        assert next(rendered, None) is None
        return said

    async def one(self, text: str, **kwargs: Any) -> Said:
        replies = await self.say(text, **kwargs)
        assert len(replies) == 1, replies
        return replies[0]

    async def press(self, value: str, label: str = "") -> Said:
        return await self.one(label, callback_data=value)

"""Who answers: agents at the Slack support desk are the handoff's, and never reach the dialogue manager;
suppliers and sales reps talk with the bot."""

from __future__ import annotations

from bot.conversations import Conversations
from dialogue.handoff.model import Status
from dialogue.messages import ChannelKind, IncomingMessage, OutgoingMessage, Sender
from dialogue.session import Session
from tests.fakes.conversation import Conversation
from tests.fakes.desk import DESK, AgentDesk

CARD = "1700000000.000100"


class NoDialogue:
    """A dialogue manager that must not be asked."""

    async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]:
        raise AssertionError(f"the dialogue manager got a desk message: {message.text!r}")


class Counting:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]:
        self.asked.append(message.text)
        return []


async def test_an_agent_claims_and_replies_without_the_dialogue_manager() -> None:
    chat = Conversation(desk=DESK)
    await chat.one("talk to a human")  # the supplier's turn: the real manager
    chat.escalations.card_posted(1, CARD)
    chat.conversations = Conversations(manager=NoDialogue(), desk=chat.desk, clock=chat.clock)
    desk = AgentDesk(chat)

    assert await desk.click("UANN", "handoff:claim:1") == []
    assert chat.escalations.all[0].status == Status.ASSIGNED
    assert await desk.says("UANN", "PO-1001 arrives Thursday.", thread=CARD) == []
    relay = chat.escalations.queued_to(chat.session.key.as_str())[-1]
    assert (relay.kind, relay.text) == ("relay", "PO-1001 arrives Thursday.")
    assert await desk.says("UBOB", "anyone free for lunch?", thread="") == []  # chatter: nobody answers


async def test_the_desk_message_is_kept_in_the_channel_log() -> None:
    chat = Conversation(desk=DESK)
    await chat.one("talk to a human")
    chat.conversations = Conversations(manager=NoDialogue(), desk=chat.desk, clock=chat.clock)
    desk = AgentDesk(chat)
    await desk.click("UANN", "handoff:claim:1")
    [session] = desk._sessions.values()
    assert [(r.kind, r.data) for r in session.records] == [("user", {"desk": True})]
    assert session.last_activity_at == chat.clock()


async def test_suppliers_and_a_support_channel_without_a_desk_talk_with_the_bot() -> None:
    chat = Conversation(desk=DESK)
    manager = Counting()
    chat.conversations = Conversations(manager=manager, desk=chat.desk, clock=chat.clock)
    supplier = Conversation()  # a Telegram DM
    message = IncomingMessage(
        platform=supplier.platform,
        conversation=supplier.session.key,
        sender=Sender("u1", "Li Wei"),
        text="where is PO-1001?",
        external_id="m1",
        timestamp=chat.clock(),
        channel_kind=ChannelKind.PRIVATE,
    )
    await chat.conversations.handle(message, supplier.session)

    no_desk = Conversation()  # no Slack support channel: agents use the console or the CLI
    no_desk.conversations = Conversations(manager=manager, desk=None, clock=no_desk.clock)
    await AgentDesk(no_desk).says("UANN", "hello bot", thread=CARD)
    assert manager.asked == ["where is PO-1001?", "hello bot"]

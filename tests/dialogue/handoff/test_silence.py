"""While a person holds a conversation, the bot's own replies to it are dropped; the handoff's are not."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogue.handoff.silence import audible, held, hold, release
from dialogue.messages import ConversationKey, OutgoingMessage, Platform
from dialogue.session import Session

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANN = ConversationKey(Platform.TELEGRAM, "ann")
DESK = ConversationKey(Platform.SLACK, "C_SUPPORT", "esc-1")


def test_a_held_conversation_hears_only_the_handoff() -> None:
    session = Session(ANN, NOW, NOW)
    answer = OutgoingMessage(ANN, "Your order ships on Friday.")
    relayed = OutgoingMessage(ANN, "Hi, Sam from support here.", kind="relay")
    told = OutgoingMessage(ANN, "An agent has your conversation.", kind="handoff")
    mirrored = OutgoingMessage(DESK, "Ann: where is my order?")
    replies = [answer, relayed, told, mirrored]

    assert not held(session) and audible(session, replies) == replies

    hold(session)  # an agent took the conversation over
    assert held(session) and session.controller == "human"
    assert audible(session, replies) == [relayed, told, mirrored]

    release(session)  # returned to the bot
    assert session.controller == "bot" and audible(session, replies) == replies

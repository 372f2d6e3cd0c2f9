"""While a person holds a conversation, the bot's own replies to it are dropped; the handoff's are not."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogue.handoff.model import Status
from dialogue.handoff.silence import audible, changes_hands, held, hold, holding, release
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
    assert held(session) and session.held
    assert audible(session, replies) == [relayed, told, mirrored]

    release(session)  # returned to the bot
    assert not session.held and audible(session, replies) == replies


def test_only_an_escalation_waiting_for_or_with_a_person_holds_the_conversation() -> None:
    assert [s for s in Status if holding(s)] == [Status.PENDING, Status.ASSIGNED]
    assert not holding(None)  # no escalation at all


def test_a_person_taking_or_giving_back_the_conversation_fences_off_the_turn_in_flight() -> None:
    # An agent's decision: a turn of the supplier's computed before it must not commit after it.
    assert changes_hands(None, Status.ASSIGNED)  # taken over from the bot
    assert changes_hands(Status.ASSIGNED, Status.RESOLVED)
    assert changes_hands(Status.ASSIGNED, Status.RETURNED)
    assert changes_hands(Status.PENDING, Status.RETURNED)  # handed back before anyone claimed it
    # The supplier's own turn did it, and knows: it must not lose its own compare-and-set.
    assert not changes_hands(None, Status.PENDING)  # asked for a person
    assert not changes_hands(Status.PENDING, Status.WITHDRAWN)  # cancelled while waiting
    assert not changes_hands(Status.RESOLVED, Status.ASSIGNED)  # wrote again after the resolution
    # Nobody changed who holds it.
    assert not changes_hands(Status.PENDING, Status.ASSIGNED)  # claimed
    assert not changes_hands(Status.ASSIGNED, Status.PENDING)  # unassigned
    assert not changes_hands(Status.ASSIGNED, Status.ASSIGNED)  # transferred, a card update
    assert not changes_hands(Status.RESOLVED, Status.CLOSED)  # auto-closed: the bot had it already

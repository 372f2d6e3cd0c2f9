"""The silence rule, in one place: while a person holds a conversation, the bot says nothing of its own there.

The session's `controller` says who holds it. `SupplierSide` hands a held conversation's messages to the
desk instead of the bot; the turn's commit (`bot.storage.turns`) applies `audible` where the outbox is
written, so that no reply of the bot's own reaches a held conversation, whichever path produced it.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialogue.messages import OutgoingMessage
from dialogue.session import Session

HUMAN = "human"
BOT = "bot"
# What the supplier may still receive while a person has the conversation.
HANDOFF_KINDS = frozenset({"handoff", "relay", "error"})


def held(session: Session) -> bool:
    """True while a person has the conversation (the bot is silent)."""
    return session.controller == HUMAN


def hold(session: Session) -> None:
    session.controller = HUMAN


def release(session: Session) -> None:
    """The bot answers again."""
    session.controller = BOT


def audible(session: Session, replies: Sequence[OutgoingMessage]) -> list[OutgoingMessage]:
    """The replies the supplier may receive: all of them, or, while held, only the handoff's own
    (notices, agents' relayed words, errors) and what goes to other conversations (the desk)."""
    if not held(session):
        return list(replies)
    own = session.key
    return [r for r in replies if r.conversation != own or r.kind in HANDOFF_KINDS]

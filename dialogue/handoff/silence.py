"""The silence rule, in one place: while a person holds a conversation, the bot says nothing of its own there.

The escalation alone says who holds a conversation: a person, while it is pending or assigned. The store
reads that into `Session.held` when it loads the session (and never saves it); `SupplierSide` hands a
held conversation's messages to the desk instead of the bot; the turn's commit (`bot.storage.turns`)
applies `audible` where the outbox is written, so that no reply of the bot's own reaches a held
conversation, whichever path produced it.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialogue.handoff.model import OPEN_STATUSES, Status
from dialogue.messages import OutgoingMessage
from dialogue.session import Session

# What the supplier may still receive while a person has the conversation.
HANDOFF_KINDS = frozenset({"handoff", "relay", "error"})

# The changes the supplier's own turn makes (it asks for a person, withdraws, writes again after a
# resolution): that turn marks its session itself, and must not lose its own compare-and-set.
_BY_THE_SUPPLIERS_TURN = frozenset(
    {(None, Status.PENDING), (Status.PENDING, Status.WITHDRAWN), (Status.RESOLVED, Status.ASSIGNED)}
)


def holding(status: Status | None) -> bool:
    """Whether an escalation in `status` (None: no escalation) has a person hold its conversation."""
    return status in OPEN_STATUSES


def changes_hands(before: Status | None, after: Status) -> bool:
    """Whether moving an escalation from `before` (None: creating it) to `after` is a person taking the
    conversation from the bot or giving it back (take over, resolve, return to bot).

    The store then bumps the conversation's session version in the same transaction, so that a turn of
    the supplier's computed before the change cannot be committed after it.
    """
    return holding(before) != holding(after) and (before, after) not in _BY_THE_SUPPLIERS_TURN


def held(session: Session) -> bool:
    """True while a person has the conversation (the bot is silent)."""
    return session.held


def hold(session: Session) -> None:
    """This turn opened or reopened the conversation's escalation: silent for the rest of the turn."""
    session.held = True


def release(session: Session) -> None:
    """This turn found or left the escalation ended (withdrawn, closed on the desk): the bot answers."""
    session.held = False


def audible(session: Session, replies: Sequence[OutgoingMessage]) -> list[OutgoingMessage]:
    """The replies the supplier may receive: all of them, or, while held, only the handoff's own
    (notices, agents' relayed words, errors) and what goes to other conversations (the desk)."""
    if not held(session):
        return list(replies)
    own = session.key
    return [r for r in replies if r.conversation != own or r.kind in HANDOFF_KINDS]

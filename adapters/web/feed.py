"""The web chat's later messages: what reaches the page after its request was answered.

An agent's relayed replies, the handoff notices and the rating keyboard are outbox rows of the web
conversation that answer no request of the page; the page polls GET /web/updates for them. Reading is
the web chat's delivery: the outbox sender marks web rows sent with a no-op `send`, and the page keeps
its own cursor (the last outbox id it saw), so nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from adapters.web.wire import reply_json
from dialogue.messages import ConversationKey, OutgoingMessage

SHOWN_METADATA = frozenset({"outcome", "intent", "draft"})  # not the agent's desk id on a relay


@dataclass(frozen=True, slots=True)
class ChatUpdate:
    id: int  # the outbox id: the page's cursor
    message: OutgoingMessage
    in_reply_to: str = ""  # the page's message id this answers; "" for a message that answers none


@dataclass(frozen=True, slots=True)
class HandoffState:
    """Whether a person has the conversation: "pending" (waiting for one) or "assigned" (to `agent`)."""

    status: str
    agent: str = ""


@dataclass(frozen=True, slots=True)
class ChatUpdates:
    messages: tuple[ChatUpdate, ...]
    cursor: int  # the highest outbox id of the conversation seen; the next poll asks for later ones
    handoff: HandoffState | None = None


@dataclass(frozen=True, slots=True)
class DemoSupplier:
    id: str
    name: str


class ChatFeed(Protocol):
    async def updates(self, conversation: ConversationKey, after: int | None) -> ChatUpdates:
        """The conversation's outbox messages after id `after`, oldest first; None: none, only the cursor."""
        ...

    async def demo_suppliers(self) -> Sequence[DemoSupplier]:
        """The suppliers the page offers to speak for."""
        ...


def updates_json(updates: ChatUpdates) -> dict[str, Any]:
    """The page's view: deletions and reactions are not shown, an edit arrives as a new message."""
    messages = [
        {
            **reply_json(u.message),
            "metadata": {k: v for k, v in u.message.metadata.items() if k in SHOWN_METADATA},
            "id": u.id,
            "in_reply_to": u.in_reply_to,
            "edited": bool(u.message.edit_of),
        }
        for u in updates.messages
        if not (u.message.delete_of or u.message.reaction)
    ]
    handoff = updates.handoff
    return {
        "enabled": True,
        "cursor": updates.cursor,
        "messages": messages,
        "handoff": {"status": handoff.status, "agent": handoff.agent} if handoff else None,
    }

"""Agents' commands: one way in for every desk.

A click or a thread message in the Slack support channel (`HandoffDesk`), a button in the web console and
an `opsbot escalations ...` command each become one of these, and `HandoffService.execute` carries it out
under the same rules (one winner per claim, only the assignee is heard by the supplier, notes stay
internal). The acting `agent` is platform-qualified ("slack:U123", "web:ann", "cli:ops").
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogue.handoff.model import Agent
from dialogue.messages import Attachment


@dataclass(frozen=True, slots=True)
class Claim:
    """Take a pending escalation: the supplier now talks to `agent`."""

    escalation_id: int
    agent: Agent


@dataclass(frozen=True, slots=True)
class Unassign:
    """Give an escalation back to the queue (the desk is called again)."""

    escalation_id: int
    agent: Agent


@dataclass(frozen=True, slots=True)
class Transfer:
    """Hand an escalation the agent holds to another agent."""

    escalation_id: int
    agent: Agent
    to: Agent


@dataclass(frozen=True, slots=True)
class Resolve:
    """End the person's part: the supplier is told (and asked to rate it); the bot answers again."""

    escalation_id: int
    agent: Agent


@dataclass(frozen=True, slots=True)
class ReturnToBot:
    """Hand the conversation back to the bot without resolving it."""

    escalation_id: int
    agent: Agent


@dataclass(frozen=True, slots=True)
class Reply:
    """Words for the supplier: relayed when `agent` holds the escalation, refused otherwise.

    `source_ref` is the agent's own message on the desk (a Slack ts), which gets the delivery receipt;
    `on_desk` mirrors a reply written elsewhere (console, CLI) into the card's thread.
    """

    escalation_id: int
    agent: Agent
    text: str
    files: tuple[Attachment, ...] = ()
    source_ref: str = ""
    on_desk: bool = True


@dataclass(frozen=True, slots=True)
class Note:
    """An internal note, never sent to the supplier; `on_desk` mirrors it to the card's thread."""

    escalation_id: int
    agent: Agent
    text: str
    on_desk: bool = True


@dataclass(frozen=True, slots=True)
class FollowEdit:
    """The agent edited (or, with empty `text`, deleted) relayed message `target` on the desk."""

    escalation_id: int
    agent: Agent
    target: str  # the supplier-side message id
    text: str
    source_ref: str  # the agent's message on the desk


@dataclass(frozen=True, slots=True)
class Suggest:
    """A draft reply for the agent alone (llm.uses assist); the outcome carries it, nothing is sent."""

    escalation_id: int
    agent: Agent


@dataclass(frozen=True, slots=True)
class TakeOver:
    """Take a conversation from the bot without a trigger (it opens an escalation held by `agent`)."""

    conversation_key: str
    agent: Agent
    language: str = "en"  # the supplier's language for the notice


AgentCommand = (
    Claim | Unassign | Transfer | Resolve | ReturnToBot | Reply | Note | FollowEdit | Suggest | TakeOver
)

__all__ = [
    "AgentCommand",
    "Claim",
    "FollowEdit",
    "Note",
    "Reply",
    "Resolve",
    "ReturnToBot",
    "Suggest",
    "TakeOver",
    "Transfer",
    "Unassign",
]

"""What goes into the handoff service and what comes out: a trigger's request for a person, an agent's
operation's outcome, and the check that only the assignee may act."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dialogue.handoff.model import Agent, Escalation, Priority, Reason, Status


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of an agent's operation: done, or refused with the reason the agent is shown.

    `draft` is a `Suggest` command's suggested reply, for the asking agent alone.
    """

    escalation: Escalation | None
    ok: bool
    problem: str = ""
    draft: str = ""


@dataclass(frozen=True, slots=True)
class EscalationRequest:
    """What a trigger knows when it asks for a person."""

    conversation_key: str
    reasons: tuple[Reason, ...]
    language: str
    request_id: str  # the message that triggered it, so a reprocessed turn finds its own escalation
    text: str = ""  # the supplier's message
    supplier_id: str | None = None
    user_name: str = ""
    priority: Priority = Priority.NORMAL
    order_ids: tuple[str, ...] = ()
    invoice_ids: tuple[str, ...] = ()


def assignee_only(agent: Agent) -> Callable[[Escalation], str]:
    """A transition's check: only the agent holding the escalation may do this."""

    def check(esc: Escalation) -> str:
        if esc.status != Status.ASSIGNED or esc.assignee is None:
            return f"escalation #{esc.id} is {esc.status.value}; claim it first"
        if esc.assignee.id != agent.id:
            return f"only {esc.assignee.display}, who holds it, can do that"
        return ""

    return check

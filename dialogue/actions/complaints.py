"""complaint: acknowledge and escalate to a person; negative sentiment makes it urgent, with the score."""

from __future__ import annotations

from dialogue.actions.base import Reply, TurnContext
from dialogue.actions.basic import escalate
from dialogue.handoff import triggers


async def complaint(ctx: TurnContext) -> list[Reply]:
    reason, priority = triggers.complaint(ctx.message, ctx.nlu)
    return await escalate(ctx, (reason,), outcome="complaint_escalated", priority=priority)

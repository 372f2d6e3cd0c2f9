"""complaint: acknowledge and escalate to a person; negative sentiment raises the priority."""

from __future__ import annotations

from dialogue.actions.base import Reply, TurnContext
from dialogue.actions.basic import escalate


async def complaint(ctx: TurnContext) -> list[Reply]:
    priority = "high" if ctx.nlu.sentiment == "negative" else "normal"
    return await escalate(ctx, reason="complaint", outcome="complaint_escalated", priority=priority)

"""Capture the replies an action returns (with their charts), before the manager renders them."""

from __future__ import annotations

from dialogue.actions.base import Action, Reply, TurnContext
from tests.fakes.conversation import Conversation


def capture(chat: Conversation, intent: str) -> list[Reply]:
    """Wrap the conversation's action for `intent`; the returned list fills with its replies."""
    seen: list[Reply] = []
    action: Action = chat.actions.intents[intent]

    async def recording(ctx: TurnContext) -> list[Reply]:
        replies = await action(ctx)
        seen.extend(replies)
        return replies

    chat.actions.intents[intent] = recording  # type: ignore[index]
    return seen

"""onboarding and policy_question: answers from the knowledge base (dialogue.faq)."""

from __future__ import annotations

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.common import yes_no_buttons
from dialogue.faq import DEFAULT_LEXICAL_WEIGHT, FaqEntry, FaqHit, KnowledgeBase, load_faq


def faq_answer(ctx: TurnContext, entry: FaqEntry) -> list[Reply]:
    """The reply that answers from `entry`."""
    ctx.session.state["last_faq"] = entry.id
    return [Reply("faq_answer", {"answer": entry.answer})]


def make_faq_action(kb: KnowledgeBase) -> Action:
    async def faq(ctx: TurnContext) -> list[Reply]:
        hit = await kb.answer(ctx.message.text, ctx.language)
        if hit is None:
            ctx.session.active_form = "offer_human"  # basic.offer_human_form takes the yes/no
            return [Reply("faq_unknown", buttons=yes_no_buttons(ctx.language))]
        return faq_answer(ctx, hit.entry)

    return faq


__all__ = [
    "DEFAULT_LEXICAL_WEIGHT",
    "FaqEntry",
    "FaqHit",
    "KnowledgeBase",
    "faq_answer",
    "load_faq",
    "make_faq_action",
]

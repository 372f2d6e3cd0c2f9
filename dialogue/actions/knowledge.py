"""onboarding and policy_question: answers from the knowledge base (dialogue.faq)."""

from __future__ import annotations

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.common import yes_no_buttons
from dialogue.faq import DEFAULT_LEXICAL_WEIGHT, FaqEntry, FaqHit, KnowledgeBase
from dialogue.handbook import load_faq

# The line under an answer that names its source, in the reply language.
SOURCE_LINE = {"en": "— Handbook: {citation}", "zh": "——来源：{citation}"}


def cited_answer(entry: FaqEntry, language: str) -> str:
    """The entry's answer and, under it, its title and heading ("— Handbook: Payments › Payment terms")."""
    if not entry.citation:
        return entry.answer
    line = SOURCE_LINE.get(language, SOURCE_LINE["en"]).format(citation=entry.citation)
    return f"{entry.answer}\n{line}"


def faq_answer(ctx: TurnContext, entry: FaqEntry) -> list[Reply]:
    """The reply that answers from `entry`, citing its heading (the `answer` block is inserted verbatim)."""
    ctx.session.state["last_faq"] = entry.id
    return [Reply("faq_answer", {"answer": cited_answer(entry, ctx.language)})]


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
    "cited_answer",
    "faq_answer",
    "load_faq",
    "make_faq_action",
]

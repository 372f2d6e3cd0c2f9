"""onboarding and policy_question: answers from the knowledge base (dialogue.faq)."""

from __future__ import annotations

from dataclasses import replace

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.common import yes_no_buttons
from dialogue.faq import DEFAULT_LEXICAL_WEIGHT, FaqEntry, FaqHit, KnowledgeBase
from dialogue.handbook import load_faq
from dialogue.llm.answers import model_answer

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


async def knowledge_answer(ctx: TurnContext, entry: FaqEntry) -> list[Reply]:
    """With the `knowledge` use on, the language model's answer from the entry (checked, cited);
    else, or when it fails the checks, the entry itself (`faq_answer`)."""
    llm = ctx.services.llm
    if llm is None or not llm.enabled("knowledge"):
        return faq_answer(ctx, entry)
    written = await model_answer(
        llm, question=ctx.message.text, passage=entry.answer, citation=entry.citation, language=ctx.language
    )
    if written is None:
        return faq_answer(ctx, entry)
    ctx.session.state["last_faq"] = entry.id
    return [Reply("faq_answer", {"answer": cited_answer(replace(entry, answer=written), ctx.language)})]


def make_faq_action(kb: KnowledgeBase) -> Action:
    async def faq(ctx: TurnContext) -> list[Reply]:
        hit = await kb.answer(ctx.message.text, ctx.language)
        if hit is None:
            ctx.session.active_form = "offer_human"  # basic.offer_human_form takes the yes/no
            return [Reply("faq_unknown", buttons=yes_no_buttons(ctx.language))]
        return await knowledge_answer(ctx, hit.entry)

    return faq


__all__ = [
    "DEFAULT_LEXICAL_WEIGHT",
    "FaqEntry",
    "FaqHit",
    "KnowledgeBase",
    "cited_answer",
    "faq_answer",
    "knowledge_answer",
    "load_faq",
    "make_faq_action",
]

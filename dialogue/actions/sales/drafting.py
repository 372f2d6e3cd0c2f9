"""Drafting for sales reps ("draft a follow-up email to Globex about their late order"): a language model
writes from the facts of a query's result (issue 25, point 6), through the `assist` use of the model gate
(issue 27). Without a model (or with `assist` off) the reply says that drafting needs one and gives the
facts. A draft that states an id, number or date the facts do not have is never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from dialogue.llm.assist import grounding_problem
from dialogue.llm.gate import ModelGate
from dialogue.llm.model import ChatMessage

USE = "assist"  # drafting is help for people: it follows llm.uses' `assist`


@dataclass(frozen=True, slots=True)
class DraftRequest:
    """What to write, to whom, and the facts it may state (nothing else)."""

    instruction: str  # the rep's words: "draft a follow-up email to Globex about their late order"
    recipient: str  # "Globex Industries"; "" when the request names nobody
    facts: tuple[str, ...]  # one line each: "PO-2001: promised 2026-11-20, still open (late)"
    language: str

    def prompt(self) -> str:
        """A provider-neutral prompt: the instruction and the facts, which the draft must not go beyond."""
        lines = "\n".join(f"- {fact}" for fact in self.facts) or "- (no facts found)"
        return (
            f"Write in {'Chinese' if self.language == 'zh' else 'English'} for a sales rep.\n"
            f"Request: {self.instruction}\nRecipient: {self.recipient or 'unspecified'}\n"
            f"Use only these facts:\n{lines}"
        )


class Drafter(Protocol):
    """A language model that drafts a message from a request (the LLM provider of issue 27)."""

    async def draft(self, request: DraftRequest) -> str: ...


class GateDrafter:
    """Drafts through the model gate; "" when the model gives nothing usable (timeout, error, a fact that
    is not among the request's)."""

    def __init__(self, gate: ModelGate) -> None:
        self._gate = gate

    async def draft(self, request: DraftRequest) -> str:
        system = (
            "You draft short, polite business e-mails for a B2B sales rep. State no fact, number, id or date "
            "that is not in the request's facts. Return only the e-mail text."
        )
        text = await self._gate.complete_text(
            USE, [ChatMessage("system", system), ChatMessage("user", request.prompt())]
        )
        if not text:
            return ""
        reason, words = grounding_problem(text, [*request.facts, request.recipient, request.instruction])
        if reason:
            self._gate.reject(USE, reason, words)
            return ""
        return text


def drafter_for(gate: ModelGate | None) -> Drafter | None:
    """The model's drafter when one is configured with `assist` on, else None."""
    return GateDrafter(gate) if gate is not None and gate.enabled(USE) else None


async def draft_from_facts(request: DraftRequest, drafter: Drafter | None) -> str | None:
    """The draft, or None when there is no model or its draft was not usable (the reply gives the facts)."""
    if drafter is None:
        return None
    return await drafter.draft(request) or None


def facts_block(facts: Sequence[str]) -> str:
    return "\n".join(f"• {fact}" for fact in facts)

"""Handbook answers written by a language model (use `knowledge`), from the retrieved passage only.

The model gets the user's question and the passage, and answers in the user's language in two or three
sentences. Every number, date, id and amount in its answer must be in the passage; an answer that
states one that is not, is in the wrong language, or runs long, is not shown: the passage is the answer.
The source line under the answer is added by opsbot (dialogue.actions.knowledge), never left to the model.
"""

from __future__ import annotations

import re

from dialogue.llm.gate import ModelGate
from dialogue.llm.grounding import has_han, unsupported_dates, unsupported_ids, unsupported_numbers
from dialogue.llm.model import ChatMessage

USE = "knowledge"
MAX_SENTENCES = 3
_LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese (简体中文)"}
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|[。！？]")
_SYSTEM = (
    "You answer a supplier's question from the company handbook. Use only the passage given: do not add "
    "any number, date, amount, id, deadline or condition that the passage does not state. Answer in "
    "{language}, in two or three sentences, plainly, without a greeting. Do not cite the source: it is "
    "added under your answer. If the passage does not answer the question, say so in one sentence."
)


def sentence_count(text: str) -> int:
    return max(1, len(_SENTENCE_END.findall(text.strip())))


def answer_messages(question: str, passage: str, citation: str, language: str) -> list[ChatMessage]:
    name = _LANGUAGE_NAMES.get(language, _LANGUAGE_NAMES["en"])
    return [
        ChatMessage("system", _SYSTEM.format(language=name)),
        ChatMessage("user", f"Handbook section: {citation}\nPassage:\n{passage}\n\nQuestion: {question}"),
    ]


def answer_problem(answer: str, passage: str, citation: str, language: str) -> tuple[str, list[str]]:
    """Why the model's answer may not be shown ("" and [] when it may)."""
    sources = [passage, citation]
    for reason, found in (
        ("invented_number", unsupported_numbers(answer, sources)),
        ("invented_id", unsupported_ids(answer, sources)),
        ("invented_date", unsupported_dates(answer, sources)),
    ):
        if found:
            return reason, found
    if (language == "zh") != has_han(answer):
        return "language", []
    if sentence_count(answer) > MAX_SENTENCES + 1:  # one more for a list the passage has
        return "too_long", []
    return "", []


async def model_answer(
    gate: ModelGate, *, question: str, passage: str, citation: str, language: str
) -> str | None:
    """The model's checked answer, or None (use off, no answer in time, or rejected: show the passage)."""
    if not gate.enabled(USE) or not question.strip():
        return None
    answer = await gate.complete_text(USE, answer_messages(question, passage, citation, language))
    if answer is None:
        return None
    reason, words = answer_problem(answer, passage, citation, language)
    if reason:
        gate.reject(USE, reason, words)
        return None
    return answer

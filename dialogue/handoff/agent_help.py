"""Help for agents on escalations, from the optional language model (llm.uses `assist` and `translate`).

- The card's three-line summary is made after the escalation is stored, in a task of its own, so the
  supplier's notice and the card never wait for the model; the card (and the console) show it when it
  comes. Every id, amount and date in it occurs in the conversation or on the card, or it is dropped.
- A suggested reply is a draft shown to the agent who asked (an ephemeral Slack message, the console's
  reply box); nothing here sends anything to a supplier.
- With `handoff.agent_language` set, a supplier's message in another language is shown to the agents
  with a translation under it, and an agent's reply reaches the supplier translated, the original kept
  in the audit. A translation that drops or changes an id or a number is not sent: the agent is told
  why, and sends their words as written by starting the message with `original:`.

With the model off (or a use off) every method does what opsbot does without one.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from dialogue.clock import Clock
from dialogue.handoff.desk_posts import SUMMARY_EVENT, DeskPosts
from dialogue.handoff.model import Escalation, Event
from dialogue.handoff.store import Effects, EscalationStore
from dialogue.llm.assist import (
    ASSIST,
    TRANSLATE,
    Turn,
    checked_translation,
    conversation_summary,
    suggest_reply,
)
from dialogue.llm.gate import ModelGate
from dialogue.llm.grounding import has_han
from dialogue.messages import IncomingMessage

logger = logging.getLogger(__name__)

TRANSLATED_IN = "translated_in"  # event: a supplier's message and its translation for the agents
REFUSED = "translation_refused"  # event: an agent's reply not sent, because its translation was unsafe
ORIGINAL_PREFIX = re.compile(r"^\s*original\s*:", re.IGNORECASE)
LANGUAGES = {"en": "English", "zh": "Chinese"}
_WHY = {
    "changed_number": "dropped, changed or added a number",
    "changed_id": "dropped or changed an id",
    "language": "was not in {language}",
    "no_answer": "did not come (the model did not answer in time, or failed)",
}


@dataclass(frozen=True, slots=True)
class Outbound:
    """An agent's reply as it is to reach the supplier."""

    text: str  # what the supplier gets ("" when nothing may be sent)
    original: str = ""  # the agent's own words, when `text` is their translation
    problem: str = ""  # why nothing may be sent
    reason: str = ""  # the refusal's code (changed_number, changed_id, language, no_answer)


def _reads_as(text: str, language: str) -> bool:
    """Whether `text` is already in `language` (Chinese has Han characters; English has none)."""
    return has_han(text) == (language == "zh")


class AgentHelp:
    def __init__(
        self,
        *,
        llm: ModelGate | None,
        store: EscalationStore,
        desk: DeskPosts,
        clock: Clock,
        agent_language: str = "",
        history_turns: int = 10,
    ) -> None:
        self._llm = llm
        self._store = store
        self._desk = desk
        self._clock = clock
        self._agent_language = agent_language
        self._history_turns = history_turns
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def assists(self) -> bool:
        """Summaries and suggested replies are on (llm.uses assist)."""
        return self._llm is not None and self._llm.enabled(ASSIST)

    def translating(self, esc: Escalation) -> bool:
        """Whether messages between this supplier and the agents are translated."""
        return (
            self._llm is not None
            and self._llm.enabled(TRANSLATE)
            and bool(self._agent_language)
            and esc.language != self._agent_language
        )

    # --- the summary ----------------------------------------------------------------------------

    def summarise_later(self, esc: Escalation) -> None:
        """Start the card's summary off the critical path (nothing to do with `assist` off)."""
        if not self.assists:
            return
        task = asyncio.get_running_loop().create_task(self._summarise_quietly(esc.id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait for the summaries under way (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _summarise_quietly(self, escalation_id: int) -> None:
        try:
            await self.summarise(escalation_id)
        except Exception:  # a summary must never break a handoff
            logger.exception("summary of escalation %s failed", escalation_id)

    async def summarise(self, escalation_id: int) -> tuple[str, str, str] | None:
        """Make the summary, record it and update the card; None when there is none (the card stays)."""
        esc = await self._store.get(escalation_id)
        if esc is None or self._llm is None or not self.assists:
            return None
        turns: list[Turn] = [(line.who, line.text) for line in esc.summary]
        lines = await conversation_summary(self._llm, turns, await self._desk.records(esc))
        if lines is None:
            return None
        current = await self._store.get(escalation_id) or esc  # claimed meanwhile: the card says so
        card = await self._desk.card(current, summary=lines)
        event = Event(SUMMARY_EVENT, "bot", self._clock(), {"lines": list(lines)})
        await self._store.append_event(esc.id, event, Effects(card))
        return lines

    # --- the suggested reply ----------------------------------------------------------------------

    async def suggest(self, esc: Escalation) -> str | None:
        """A draft for the agent, in the language they write to this supplier in; None without one."""
        if self._llm is None or not self.assists:
            return None
        turns = await self._conversation(esc)
        language = self._agent_language if self.translating(esc) else esc.language
        return await suggest_reply(self._llm, turns, await self._desk.records(esc), language=language)

    async def _conversation(self, esc: Escalation) -> list[Turn]:
        """The supplier's and the bot's last lines, then what agents already told the supplier."""
        said = await self._store.recent_turns(esc.conversation_key, self._history_turns)
        turns: list[Turn] = [(line.who, line.text) for line in said or esc.summary]
        for event in await self._store.events(esc.id):
            if event.kind == "agent_message" and event.data.get("text"):
                turns.append(("agent", str(event.data["text"])))
        return turns[-2 * self._history_turns :]

    # --- translation --------------------------------------------------------------------------------

    async def inbound(self, esc: Escalation, message: IncomingMessage) -> str:
        """What the agents see under the supplier's message: its translation, a note why there is none,
        or "" (no translation needed or wanted)."""
        text = message.text.strip()
        if self._llm is None or not self.translating(esc) or not text or message.deleted:
            return ""
        if _reads_as(text, self._agent_language):
            return ""
        translated, reason, words = await checked_translation(self._llm, text, target=self._agent_language)
        language = LANGUAGES.get(self._agent_language, self._agent_language)
        data = {"text": text, "to": self._agent_language, "translation": translated or "", "reason": reason}
        await self._store.append_event(esc.id, Event(TRANSLATED_IN, "bot", self._clock(), data))
        if translated is None:
            return f"(no {language} translation: it {self._why(reason, words, language)})"
        return f"{language}: {translated}"

    async def outbound(self, esc: Escalation, text: str) -> Outbound:
        """The agent's reply as the supplier is to get it: translated, as written, or not at all."""
        if self._llm is None or not self.translating(esc):
            return Outbound(text)
        prefixed = ORIGINAL_PREFIX.match(text)
        if prefixed:
            return Outbound(text[prefixed.end() :].strip())
        if _reads_as(text, esc.language):
            return Outbound(text)  # already in the supplier's language
        translated, reason, words = await checked_translation(self._llm, text, target=esc.language)
        if translated is not None:
            return Outbound(translated, original=text)
        language = LANGUAGES.get(esc.language, esc.language)
        problem = (
            f"the {language} translation {self._why(reason, words, language)}, so nothing went to the "
            "supplier; to send your words as written, send them again starting with `original:`"
        )
        return Outbound("", problem=problem, reason=reason)

    async def refused(self, esc: Escalation, actor: str, text: str, out: Outbound) -> None:
        """Keep the reply that was not sent, and why, in the audit."""
        data = {"text": text, "reason": out.reason, "to": esc.language}
        await self._store.append_event(esc.id, Event(REFUSED, actor, self._clock(), data))

    @staticmethod
    def _why(reason: str, words: Sequence[str], language: str) -> str:
        why = _WHY.get(reason, reason.replace("_", " ")).format(language=language)
        return f"{why} ({', '.join(words)})" if words else why

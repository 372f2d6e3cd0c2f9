"""The core of the handoff service: its parts, the SLA clock and the compare-and-set transition.

`HandoffService` (service.py) adds the state changes; `AgentRelay` (relay.py) the messages between the
agent and the supplier. Every change is a compare-and-set on the escalation's version, so of two agents
claiming at once exactly one wins; it appends an audit event and queues its messages (the supplier's
notice, the desk card's update) in the same transaction. Time comes from the injected clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from dialogue.backend import Backend
from dialogue.clock import Clock
from dialogue.handoff import triggers
from dialogue.handoff.agent_help import AgentHelp
from dialogue.handoff.desk_posts import DeskPosts
from dialogue.handoff.model import Agent, Escalation, Event
from dialogue.handoff.requests import Outcome
from dialogue.handoff.sla import business_hours
from dialogue.handoff.store import Effects, EscalationStore
from dialogue.handoff.texts import notice
from dialogue.llm.assist import ASSIST
from dialogue.llm.gate import ModelGate
from dialogue.messages import ConversationKey, OutgoingMessage
from dialogue.settings import HandoffSettings

logger = logging.getLogger("dialogue.handoff.service")

ATTEMPTS = 5  # compare-and-set retries before giving up on a busy escalation


class HandoffCore:
    def __init__(
        self,
        *,
        store: EscalationStore,
        backend: Backend,
        clock: Clock,
        settings: HandoffSettings,
        desk: ConversationKey | None,
        observer: Callable[[Escalation, str], None] | None = None,
        audience: tuple[str, ...] = (),
        llm: ModelGate | None = None,
    ) -> None:
        """`desk` is where cards go (the Slack support channel); None: agents use the console or CLI.

        `llm` (None: off) gives agents a summary, suggested replies and translation (`AgentHelp`).
        """
        self.store = store
        self._backend = backend
        self._clock = clock
        self._settings = settings
        self._hours = business_hours(settings.business_hours)
        suggest = llm is not None and llm.enabled(ASSIST)
        self.desk = DeskPosts(desk=desk, store=store, backend=backend, suggest=suggest)
        self.help = AgentHelp(
            llm=llm,
            store=store,
            desk=self.desk,
            clock=clock,
            agent_language=settings.agent_language,
            history_turns=settings.history_turns,
        )
        self._observer = observer
        self.audience = audience  # who a call for an agent mentions on the desk: "group:S1" or "user:U1"

    def now(self) -> datetime:
        return self._clock()

    def due(self, start: datetime, minutes: float) -> datetime:
        """`minutes` of SLA time after `start`, counted in business hours when they are set."""
        return self._hours.add(start, timedelta(minutes=minutes))

    # --- helpers ---------------------------------------------------------------------------

    async def _unnoted(self, esc: Escalation | None) -> Outcome | None:
        """A refusal when `esc` needs an agent's note before it ends (a bank-details request) and has none."""
        if esc is None or not triggers.needs_note(esc):
            return None
        problem = triggers.missing_note(esc, await self.store.events(esc.id))
        return Outcome(esc, False, problem) if problem else None

    def _observe(self, esc: Escalation, kind: str) -> None:
        if self._observer is not None:
            try:
                self._observer(esc, kind)
            except Exception:  # metrics must never break a handoff
                logger.exception("escalation observer failed")

    async def transition(
        self,
        escalation_id: int,
        agent: Agent,
        kind: str,
        check: Callable[[Escalation], str],
        change: Callable[[Escalation], Escalation | None],
        *,
        told: str = "",
        data: dict[str, str] | None = None,
        extra: Callable[[Escalation], Sequence[OutgoingMessage]] | None = None,
    ) -> Outcome:
        """Read, check, compare-and-set; on a lost race read again, so the loser learns who won.

        `told` names the supplier's notice; `extra` adds messages made from the changed escalation.
        """
        for _ in range(ATTEMPTS):
            esc = await self.store.get(escalation_id)
            if esc is None:
                return Outcome(None, False, f"no escalation #{escalation_id}")
            problem = check(esc)
            if problem:
                return Outcome(esc, False, problem)
            changed = change(esc)
            if changed is None:
                return Outcome(esc, True)
            now = self._clock()
            changed = replace(changed, updated_at=now)
            messages: list[OutgoingMessage] = list(await self.desk.card(changed))
            if told:
                who = (changed.assignee or agent).display
                text = notice(told, changed.language, agent=who)
                messages.append(
                    OutgoingMessage(ConversationKey.parse(esc.conversation_key), text, kind="handoff")
                )
            if extra is not None:
                messages.extend(extra(changed))
            event = Event(kind, agent.id, now, {"agent": agent.display, **(data or {})})
            done = await self.store.update(changed, event, Effects(tuple(messages)))
            if done is not None:
                logger.info("escalation %s %s by %s", done.id, kind, agent.id)
                self._observe(done, kind)
                return Outcome(done, True)
        return Outcome(await self.store.get(escalation_id), False, "the escalation is busy; try again")

    @property
    def has_desk(self) -> bool:
        return self.desk.enabled

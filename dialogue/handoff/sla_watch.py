"""The SLA ladder, derived from stored state each time it runs (no in-memory timers):

1. unclaimed after `handoff.claim_sla_minutes`: the desk is re-notified once, mentioning the agents;
2. at `handoff.warn_at_fraction` of the resolve SLA: a warning in the card's thread, once;
3. past the resolve deadline while open: a DM to `handoff.lead_user_id`, the card marked, once;
4. resolved longer than `handoff.auto_close_hours` ago: closed.

Each step is a compare-and-set on the escalation that records it, so it fires exactly once, across
restarts and across processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from dialogue.clock import Clock
from dialogue.handoff.model import Agent, Escalation, Status
from dialogue.handoff.service import HandoffService
from dialogue.messages import OutgoingMessage
from dialogue.settings import HandoffSettings

logger = logging.getLogger(__name__)

SLA = Agent("system:sla", "SLA")


@dataclass(frozen=True, slots=True)
class Step:
    escalation_id: int
    step: str  # renotified | warned | breached | closed


class SlaWatch:
    def __init__(
        self,
        service: HandoffService,
        *,
        settings: HandoffSettings,
        clock: Clock,
    ) -> None:
        self._service = service
        self._settings = settings
        self._clock = clock

    async def tick(self) -> list[Step]:
        """Fire every step that is due now; returns what fired."""
        now = self._clock()
        fired: list[Step] = []
        for esc in await self._service.store.with_status([Status.PENDING, Status.ASSIGNED], limit=10_000):
            for step, due in self._due_steps(esc, now):
                if await self._fire(esc.id, step, due):
                    fired.append(Step(esc.id, step))
        auto_close = timedelta(hours=self._settings.auto_close_hours)
        for esc in await self._service.store.resolved_before(now - auto_close):
            if (await self._service.close(esc.id)).ok:
                fired.append(Step(esc.id, "closed"))
        return fired

    def _due_steps(self, esc: Escalation, now: datetime) -> list[tuple[str, Callable[[Escalation], bool]]]:
        steps: list[tuple[str, Callable[[Escalation], bool]]] = []
        if esc.status == Status.PENDING and esc.renotified_at is None and now >= esc.claim_due_at:
            steps.append(("renotified", lambda e: e.status == Status.PENDING and e.renotified_at is None))
        if esc.breached_at is None and now >= esc.resolve_due_at:
            steps.append(("breached", lambda e: e.is_open and e.breached_at is None))
        elif esc.warned_at is None and now >= self._warn_at(esc):
            steps.append(("warned", lambda e: e.is_open and e.warned_at is None and e.breached_at is None))
        return steps

    def _warn_at(self, esc: Escalation) -> datetime:
        sla = timedelta(minutes=self._settings.resolve_sla_minutes)
        return esc.resolve_due_at - sla * (1 - self._settings.warn_at_fraction)

    async def _fire(self, escalation_id: int, step: str, still_due: Callable[[Escalation], bool]) -> bool:
        now = self._clock()

        def check(esc: Escalation) -> str:
            return "" if still_due(esc) else "already done"

        def change(esc: Escalation) -> Escalation:
            if step == "renotified":
                return replace(esc, renotified_at=now)
            if step == "warned":
                return replace(esc, warned_at=now)
            return replace(esc, breached_at=now)

        outcome = await self._service.transition(
            escalation_id, SLA, step, check, change, extra=lambda esc: self._messages(esc, step)
        )
        if outcome.ok:
            logger.info("escalation %s: SLA step %s", escalation_id, step)
        return outcome.ok

    def _messages(self, esc: Escalation, step: str) -> Sequence[OutgoingMessage]:
        desk = self._service.desk
        if step == "renotified":
            minutes = f"{self._settings.claim_sla_minutes:g}"
            text = f"Still unclaimed after {minutes} minutes: can someone take escalation #{esc.id}?"
            return desk.note(esc, text, notify=self._service.audience)
        if step == "warned":
            share = f"{self._settings.warn_at_fraction:.0%}"
            text = f"{share} of the resolve time used: due by {esc.resolve_due_at:%Y-%m-%d %H:%M} UTC."
            return desk.note(esc, text, notify_assignee=True)
        holder = esc.assignee.display if esc.assignee else "nobody"
        who = esc.supplier_name or esc.conversation_key
        due = f"{esc.resolve_due_at:%Y-%m-%d %H:%M} UTC"
        text = f"SLA breached: escalation #{esc.id} ({who}), held by {holder}, was due {due}."
        return (*desk.note(esc, text, notify_assignee=True), *desk.direct(self._settings.lead_user_id, text))

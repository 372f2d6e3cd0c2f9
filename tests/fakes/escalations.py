"""An in-memory escalation store, for dialogue tests of the real handoff service."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from dialogue.handoff.desk import RelayedMessage
from dialogue.handoff.model import OPEN_STATUSES, Escalation, Event, Status, TurnLine
from dialogue.handoff.silence import changes_hands, holding
from dialogue.handoff.store import NO_EFFECTS, Effects
from dialogue.messages import OutgoingMessage


class MemoryEscalations:
    """Keeps escalations, their events, the queued messages and the changes of hands in lists."""

    def __init__(self) -> None:
        self.escalations: dict[int, Escalation] = {}
        self.event_log: dict[int, list[Event]] = {}
        self.queued: list[OutgoingMessage] = []
        # (conversation, held after): a person took it or gave it back; the SQL store bumps its session
        self.handovers: list[tuple[str, bool]] = []
        self.turns: dict[str, list[TurnLine]] = {}

    @property
    def all(self) -> list[Escalation]:
        return [self.escalations[i] for i in sorted(self.escalations)]

    async def get(self, escalation_id: int) -> Escalation | None:
        return self.escalations.get(escalation_id)

    async def open_for(self, conversation_key: str) -> Escalation | None:
        found = [e for e in self.all if e.conversation_key == conversation_key and e.status in OPEN_STATUSES]
        return found[-1] if found else None

    async def latest_for(self, conversation_key: str) -> Escalation | None:
        found = [e for e in self.all if e.conversation_key == conversation_key]
        return found[-1] if found else None

    async def find_by_card(self, card_ref: str) -> Escalation | None:
        found = [e for e in self.all if card_ref and e.card_ref == card_ref]
        return found[-1] if found else None

    async def with_status(self, statuses: Sequence[Status], limit: int = 100) -> list[Escalation]:
        return [e for e in reversed(self.all) if e.status in statuses][:limit]

    async def create(
        self, escalation: Escalation, event: Event, effects: Callable[[Escalation], Effects]
    ) -> Escalation | None:
        if await self.open_for(escalation.conversation_key) is not None:
            return None
        created = replace(escalation, id=len(self.escalations) + 1, version=1)
        self.escalations[created.id] = created
        self.event_log[created.id] = [event]
        self._fence(None, created)
        self._apply(created, effects(created))
        return created

    async def update(self, escalation: Escalation, event: Event, effects: Effects) -> Escalation | None:
        stored = self.escalations.get(escalation.id)
        if stored is None or stored.version != escalation.version:
            return None
        updated = replace(escalation, version=escalation.version + 1, card_ref=stored.card_ref)
        self.escalations[updated.id] = updated
        self.event_log[updated.id].append(event)
        self._fence(stored.status, updated)
        self._apply(updated, effects)
        return updated

    async def append_event(self, escalation_id: int, event: Event, effects: Effects = NO_EFFECTS) -> None:
        self.event_log.setdefault(escalation_id, []).append(event)
        self._apply(self.escalations[escalation_id], effects)

    async def events(self, escalation_id: int) -> list[Event]:
        return list(self.event_log.get(escalation_id, ()))

    async def created_by_request(self, escalation_id: int, request_id: str) -> bool:
        first = self.event_log.get(escalation_id, [])[:1]
        return bool(first) and first[0].data.get("request_id") == request_id

    async def recent_turns(self, conversation_key: str, limit: int) -> list[TurnLine]:
        return self.turns.get(conversation_key, [])[-limit:]

    async def last_survey(self, supplier_id: str | None, conversation_key: str) -> datetime | None:
        asked = [
            e.csat_asked_at
            for e in self.all
            if e.csat_asked_at is not None
            and (e.supplier_id == supplier_id if supplier_id else e.conversation_key == conversation_key)
        ]
        return max(asked, default=None)

    async def resolved_before(self, moment: datetime) -> list[Escalation]:
        return [
            e
            for e in self.all
            if e.status == Status.RESOLVED and e.resolved_at is not None and e.resolved_at < moment
        ]

    def card_posted(self, escalation_id: int, ref: str) -> None:
        """What the sender records once the desk card is posted."""
        self.escalations[escalation_id] = replace(self.escalations[escalation_id], card_ref=ref)

    def queued_to(self, conversation: str) -> list[OutgoingMessage]:
        return [m for m in self.queued if m.conversation.as_str() == conversation]

    async def holds(self, conversation_key: str) -> bool:
        """What the session loader reads into `Session.held`."""
        return await self.open_for(conversation_key) is not None

    def _fence(self, before: Status | None, escalation: Escalation) -> None:
        if changes_hands(before, escalation.status):
            self.handovers.append((escalation.conversation_key, holding(escalation.status)))

    def _apply(self, escalation: Escalation, effects: Effects) -> None:
        self.queued.extend(effects.messages)


class FakeAgents:
    """The desk's agents: user id -> display name."""

    def __init__(self, agents: dict[str, str] | None = None) -> None:
        self.agents = dict(agents if agents is not None else {"UANN": "Ann", "UBOB": "Bob"})

    async def is_agent(self, user_id: str) -> bool:
        return user_id in self.agents

    async def name_of(self, user_id: str) -> str:
        return self.agents.get(user_id, "")


class NoRelays:
    """No relayed message is known (the SQL store answers this in the end-to-end tests)."""

    async def relayed(self, source_ref: str) -> RelayedMessage | None:
        return None

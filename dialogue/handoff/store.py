"""What the handoff service needs from storage (bot/storage implements it in SQL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dialogue.handoff.model import Escalation, Event, Status, TurnLine
from dialogue.messages import OutgoingMessage


@dataclass(frozen=True, slots=True)
class Effects:
    """What a change also does, in the same transaction: the messages it queues.

    Who holds the conversation is the escalation's status itself (dialogue.handoff.silence); when a
    change moves it from the bot to a person or back (`changes_hands`), the store also bumps the
    conversation's session version, so that a turn computed before the change cannot be committed after it.
    """

    messages: tuple[OutgoingMessage, ...] = ()


NO_EFFECTS = Effects()


class EscalationStore(Protocol):
    async def get(self, escalation_id: int) -> Escalation | None: ...

    async def open_for(self, conversation_key: str) -> Escalation | None:
        """The conversation's pending or assigned escalation."""
        ...

    async def latest_for(self, conversation_key: str) -> Escalation | None:
        """The conversation's most recent escalation, open or not."""
        ...

    async def find_by_card(self, card_ref: str) -> Escalation | None: ...

    async def with_status(self, statuses: Sequence[Status], limit: int = 100) -> list[Escalation]: ...

    async def create(
        self, escalation: Escalation, event: Event, effects: Callable[[Escalation], Effects]
    ) -> Escalation | None:
        """Insert `escalation` with a new id, and the effects made for it; None if one is already open.
        Bumps the conversation's session version when it `changes_hands` (an agent took it over)."""
        ...

    async def update(self, escalation: Escalation, event: Event, effects: Effects) -> Escalation | None:
        """Write `escalation` (version + 1) if the stored version is still its version; else None.
        Bumps the conversation's session version when the change of status `changes_hands`."""
        ...

    async def append_event(self, escalation_id: int, event: Event, effects: Effects = NO_EFFECTS) -> None: ...

    async def events(self, escalation_id: int) -> list[Event]: ...

    async def created_by_request(self, escalation_id: int, request_id: str) -> bool:
        """Whether the escalation was created by the message `request_id` (a reprocessed turn)."""
        ...

    async def recent_turns(self, conversation_key: str, limit: int) -> list[TurnLine]:
        """The conversation's last `limit` user and bot lines, oldest first."""
        ...

    async def last_survey(self, supplier_id: str | None, conversation_key: str) -> datetime | None:
        """When this supplier (or, unlinked, this conversation) was last asked to rate a conversation."""
        ...

    async def resolved_before(self, moment: datetime) -> list[Escalation]:
        """Resolved escalations whose resolution is older than `moment` (due to be closed)."""
        ...

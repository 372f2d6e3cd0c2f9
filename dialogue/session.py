"""Per-conversation session state and the turn records the dialogue manager appends."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dialogue.messages import ConversationKey


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One entry of the append-only turn log."""

    kind: str  # "user" | "bot" | "system"
    text: str = ""
    intent: str | None = None
    confidence: float | None = None
    entities: tuple[Mapping[str, Any], ...] = ()
    action: str | None = None
    outcome: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    used_fallback: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Session:
    """Mutable state of one conversation, loaded and saved by the pipeline around each turn."""

    key: ConversationKey
    started_at: datetime
    last_activity_at: datetime
    user_id: str = ""
    language: str = "en"
    supplier_id: str | None = None
    # A person holds the conversation (the bot is silent): its escalation is pending or assigned. The
    # store fills it when it loads the session and never saves it; a turn that opens, reopens or withdraws
    # the escalation marks it for the rest of the turn (dialogue.handoff.silence).
    held: bool = False
    active_form: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    records: list[TurnRecord] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        """Never stored yet: this is the conversation's first turn (a store bumps `version` on save)."""
        return self.version == 0

    def expired(self, now: datetime, ttl: timedelta) -> bool:
        return now - self.last_activity_at > ttl

    def reset(self, now: datetime) -> None:
        """Start a fresh session after inactivity; history and the account link are kept."""
        self.active_form = None
        self.slots = {}
        self.state = {k: v for k, v in self.state.items() if k in _STATE_KEPT_ON_RESET}
        self.started_at = now

    def record(self, record: TurnRecord) -> None:
        self.records.append(record)


_STATE_KEPT_ON_RESET = frozenset({"blocked_reason", "notifications_off"})  # dialogue.notifications

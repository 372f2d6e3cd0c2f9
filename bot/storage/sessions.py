"""Conversation sessions and their turn log: loaded before a turn, saved in the turn's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, column, exists, insert, orm, select, update, values
from sqlalchemy.orm import InstrumentedAttribute

from bot.storage.dialect import Sessionmaker
from bot.storage.tables import ConversationRow, EscalationRow, storable
from dialogue.clock import Clock
from dialogue.errors import OpsbotError
from dialogue.handoff.model import OPEN_STATUSES
from dialogue.messages import ConversationKey
from dialogue.session import Session

HOLDING = tuple(sorted(status.value for status in OPEN_STATUSES))  # a person has the conversation


class LeaseLost(OpsbotError):
    """Another worker reclaimed the message, or the conversation changed; this result is discarded."""


def held_by_person(conversation_key: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """Whether the conversation has an escalation that a person holds: the one truth of `Session.held`."""
    return exists().where(
        EscalationRow.conversation_key == conversation_key, EscalationRow.status.in_(HOLDING)
    )


class Sessions:
    def __init__(self, sessionmaker: Sessionmaker, *, clock: Clock) -> None:
        self._sm = sessionmaker
        self._clock = clock

    async def load(self, key: ConversationKey, user_id: str) -> Session:
        [session] = await self.load_many([(key, user_id)])
        return session

    async def load_many(self, wanted: Sequence[tuple[ConversationKey, str]]) -> list[Session]:
        """The sessions of several conversations in one query (a new one where none is saved yet), each
        `held` while an escalation of its conversation is (the escalation is the only record of it)."""
        if not wanted:
            return []
        # as stored (a key with a NUL is kept without it: PostgreSQL refuses NUL in text)
        keys = sorted({storable(key.as_str()) for key, _user in wanted})
        asked = values(column("key", String), name="asked").data([(k,) for k in keys]).cte("asked")
        query = (
            select(asked.c.key, ConversationRow, held_by_person(asked.c.key))
            .select_from(asked)
            .outerjoin(ConversationRow, ConversationRow.key == asked.c.key)
        )
        async with self._sm() as s:
            found = {key: (row, bool(held)) for key, row, held in (await s.execute(query)).all()}
        return [self._session(key, user_id, *found[storable(key.as_str())]) for key, user_id in wanted]

    def _session(
        self, key: ConversationKey, user_id: str, row: ConversationRow | None, held: bool
    ) -> Session:
        now = self._clock()
        if row is None:
            return Session(
                key=key, started_at=now, last_activity_at=now, user_id=user_id, held=held, version=0
            )
        return Session(
            key=key,
            started_at=row.session_started_at,
            last_activity_at=row.last_activity_at,
            user_id=row.user_id or user_id,
            language=row.language,
            supplier_id=row.supplier_id,
            held=held,
            active_form=row.active_form,
            slots=dict(row.slots or {}),
            state=dict(row.state or {}),
            version=row.version,
        )


def save_session(db: orm.Session, session: Session, now: datetime) -> int:
    """Insert or update the session, compare-and-set on its version; LeaseLost when it changed.

    Returns the version saved; the caller sets it on `session` once the transaction has committed.
    """
    values = {
        "platform": session.key.platform.value,
        "user_id": session.user_id,
        "language": session.language,
        "supplier_id": session.supplier_id,
        "active_form": session.active_form,
        "slots": session.slots,
        "state": session.state,
        "session_started_at": session.started_at,
        "last_activity_at": session.last_activity_at,
    }
    if session.version == 0:
        db.execute(
            insert(ConversationRow).values(key=session.key.as_str(), version=1, created_at=now, **values)
        )
        return 1
    result = db.execute(
        update(ConversationRow)
        .where(ConversationRow.key == session.key.as_str(), ConversationRow.version == session.version)
        .values(version=session.version + 1, **values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise LeaseLost(f"conversation {session.key.as_str()}: changed concurrently")
    return session.version + 1


def turn_event_values(session: Session, inbox_id: int | None, now: datetime) -> list[dict[str, Any]]:
    """The turn log rows of the session's records."""
    return [
        {
            "conversation_key": session.key.as_str(),
            "inbox_id": inbox_id,
            "kind": rec.kind,
            "text": rec.text,
            "intent": rec.intent,
            "confidence": rec.confidence,
            "entities": [dict(e) for e in rec.entities],
            "action": rec.action,
            "outcome": rec.outcome,
            "facts": dict(rec.facts),
            "used_fallback": rec.used_fallback,
            "data": dict(rec.data),
            "created_at": now,
        }
        for rec in session.records
    ]

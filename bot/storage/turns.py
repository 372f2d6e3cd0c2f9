"""The end of a turn: one transaction writes everything the turn produced, or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import Sessionmaker, dialect_of
from bot.storage.inbox import Claim
from bot.storage.outbox import add_to_outbox
from bot.storage.sessions import LeaseLost, append_records, save_session
from bot.storage.tables import InboxRow
from bot.wakeups import DONE, announce
from dialogue.clock import Clock
from dialogue.messages import OutgoingMessage
from dialogue.session import Session

FinishedTurn = tuple[Claim, Session, Sequence[OutgoingMessage]]

# What the supplier may still receive while a person has the conversation.
HANDOFF_KINDS = frozenset({"handoff", "relay", "error"})


def audible(session: Session, replies: Sequence[OutgoingMessage]) -> list[OutgoingMessage]:
    """The silence rule, applied where the outbox is written: while a person has the conversation
    (the session saved in this same transaction says so), the bot's own replies to it are dropped."""
    if session.controller != "human":
        return list(replies)
    own = session.key
    return [r for r in replies if r.conversation != own or r.kind in HANDOFF_KINDS]


class Turns:
    def __init__(self, sessionmaker: Sessionmaker, *, clock: Clock) -> None:
        self._sm = sessionmaker
        self._clock = clock

    async def complete(self, claim: Claim, session: Session, replies: Sequence[OutgoingMessage]) -> list[int]:
        """Mark the inbox row done, save the session, append the turn log and queue the replies.

        Raises LeaseLost (and writes nothing) when another worker took the message over or the
        conversation changed since the session was loaded.
        """
        async with self._sm.begin() as s:
            ids = await self._complete_in(s, claim, session, replies, self._clock())
        session.records.clear()
        return ids

    async def complete_many(self, turns: Sequence[FinishedTurn]) -> list[bool]:
        """Commit several turns; for each, whether it was committed (False: its lease was lost).

        PostgreSQL: one transaction, a savepoint per turn. SQLite: a transaction per turn (its
        savepoints need driver workarounds, and its commits are cheap).
        """
        now = self._clock()
        committed: list[bool] = []
        if dialect_of(self._sm) == "postgresql":
            async with self._sm.begin() as s:
                for claim, session, replies in turns:
                    try:
                        async with s.begin_nested():
                            await self._complete_in(s, claim, session, replies, now)
                        committed.append(True)
                    except LeaseLost:
                        committed.append(False)
        else:
            for claim, session, replies in turns:
                try:
                    async with self._sm.begin() as s:
                        await self._complete_in(s, claim, session, replies, now)
                    committed.append(True)
                except LeaseLost:
                    committed.append(False)
        for (_claim, session, _replies), done in zip(turns, committed, strict=True):
            if done:
                session.records.clear()
        return committed

    async def _complete_in(
        self,
        s: AsyncSession,
        claim: Claim,
        session: Session,
        replies: Sequence[OutgoingMessage],
        now: datetime,
    ) -> list[int]:
        done = await s.execute(
            update(InboxRow)
            .where(
                InboxRow.id == claim.inbox_id,
                InboxRow.lease_token == claim.token,
                InboxRow.status == "processing",
            )
            .values(status="done", lease_token=None, lease_until=None, processed_at=now, error=None)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise LeaseLost(f"inbox {claim.inbox_id}: lease lost")
        await save_session(s, session, now)
        append_records(s, session, claim.inbox_id, now)
        await announce(s, DONE)
        return [await add_to_outbox(s, reply, claim.inbox_id, now) for reply in audible(session, replies)]

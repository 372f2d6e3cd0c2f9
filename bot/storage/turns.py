"""The end of a turn: one transaction writes everything the turn produced, or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import Sessionmaker
from bot.storage.generated_files import keep_generated
from bot.storage.inbox import Claim
from bot.storage.outbox import outbox_values
from bot.storage.sessions import LeaseLost, save_session, turn_event_values
from bot.storage.tables import InboxRow, OutboxRow, TurnEventRow
from bot.wakeups import DONE, OUTBOX, announce
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

    async def complete(self, claim: Claim, session: Session, replies: Sequence[OutgoingMessage]) -> None:
        """Commit one turn; LeaseLost (and nothing written) when it is no longer this worker's."""
        if not (await self.complete_many([(claim, session, replies)]))[0]:
            raise LeaseLost(f"inbox {claim.inbox_id}: lease lost or conversation changed")

    async def complete_many(self, turns: Sequence[FinishedTurn]) -> list[bool]:
        """Commit several turns; for each, whether it was committed (False: its lease was lost).

        For each turn, in one transaction: mark its inbox row done, save its session (compare-and-set
        on the version), append its records to the turn log and queue its replies. A batch is one
        transaction; should one of its turns have lost its lease, the others are committed one by one.
        """
        if not turns:
            return []
        now = self._clock()
        try:
            async with self._sm.begin() as s:
                await self._complete_in(s, turns, now)
            committed = [True] * len(turns)
        except LeaseLost:
            committed = []
            for turn in turns:
                try:
                    async with self._sm.begin() as s:
                        await self._complete_in(s, [turn], now)
                    committed.append(True)
                except LeaseLost:
                    committed.append(False)
        for (_claim, session, _replies), done in zip(turns, committed, strict=True):
            if done:
                session.records.clear()
        return committed

    async def _complete_in(self, s: AsyncSession, turns: Sequence[FinishedTurn], now: datetime) -> None:
        """Write `turns`; raises LeaseLost (the caller rolls back) when any of them is not ours."""
        for token in {claim.token for claim, _s, _r in turns}:
            ids = [claim.inbox_id for claim, _s, _r in turns if claim.token == token]
            done = await s.execute(
                update(InboxRow)
                .where(InboxRow.id.in_(ids), InboxRow.lease_token == token, InboxRow.status == "processing")
                .values(status="done", lease_token=None, lease_until=None, processed_at=now, error=None)
            )
            if done.rowcount != len(ids):  # type: ignore[attr-defined]
                raise LeaseLost(f"inbox {ids}: a lease was lost")
        for _claim, session, _replies in turns:
            await save_session(s, session, now)
        events = [
            row for claim, session, _r in turns for row in turn_event_values(session, claim.inbox_id, now)
        ]
        if events:
            await s.execute(insert(TurnEventRow), events)
        rows = [
            outbox_values(await keep_generated(s, reply, now), claim.inbox_id, now)
            for claim, session, replies in turns
            for reply in audible(session, replies)
        ]
        if rows:
            await s.execute(insert(OutboxRow), rows)
            await announce(s, OUTBOX)
        await announce(s, DONE, payload=",".join(str(claim.inbox_id) for claim, _s, _r in turns))

"""The end of a turn: one transaction writes everything the turn produced, or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import insert, orm, update

from bot.storage.dialect import Sessionmaker
from bot.storage.generated_files import keep_generated
from bot.storage.inbox import Claim
from bot.storage.outbox import outbox_values
from bot.storage.serde import outgoing_from_json
from bot.storage.sessions import LeaseLost, save_session, turn_event_values
from bot.storage.tables import InboxRow, OutboxRow, TurnEventRow
from bot.storage.transact import OnLoop, Transact
from bot.wakeups import DONE, OUTBOX, announce_each, done_payload
from dialogue.clock import Clock
from dialogue.handoff.silence import audible  # the silence rule: the bot's own replies drop while held
from dialogue.messages import OutgoingMessage
from dialogue.session import Session

FinishedTurn = tuple[Claim, Session, Sequence[OutgoingMessage]]
Queued = tuple[OutgoingMessage, ...]  # a committed turn's replies, as its outbox rows hold them


class Turns:
    def __init__(self, sessionmaker: Sessionmaker, *, clock: Clock, transact: Transact | None = None) -> None:
        self._clock = clock
        self._transact = transact or OnLoop(sessionmaker)

    async def complete(self, claim: Claim, session: Session, replies: Sequence[OutgoingMessage]) -> Queued:
        """Commit one turn; LeaseLost (and nothing written) when it is no longer this worker's."""
        queued = (await self.complete_many([(claim, session, replies)]))[0]
        if queued is None:
            raise LeaseLost(f"inbox {claim.inbox_id}: lease lost or conversation changed")
        return queued

    async def complete_many(self, turns: Sequence[FinishedTurn], *, origin: str = "") -> list[Queued | None]:
        """Commit several turns; for each, the replies it queued (None: its lease was lost, nothing written).
        `origin` names the committing process in the news of the turns (bot.wakeups.done_payload).

        For each turn, in one transaction: mark its inbox row done, save its session (compare-and-set
        on the version), append its records to the turn log and queue its replies. A batch is one
        transaction; should one of its turns have lost its lease, the others are committed one by one.
        A session's version and records change only once its turn has committed.
        """
        if not turns:
            return []
        now = self._clock()
        committed: list[Written | None]
        try:
            committed = list(await self._transact(partial(_complete_in, turns=turns, now=now, origin=origin)))
        except LeaseLost:
            committed = []
            for turn in turns:
                try:
                    committed.extend(
                        await self._transact(partial(_complete_in, turns=[turn], now=now, origin=origin))
                    )
                except LeaseLost:
                    committed.append(None)
        for (_claim, session, _replies), written in zip(turns, committed, strict=True):
            if written is not None:
                session.version = written.version
                session.records.clear()
        return [None if written is None else written.queued for written in committed]


@dataclass(frozen=True, slots=True)
class Written:
    """What a committed turn wrote: its session's new version and the replies it queued."""

    version: int
    queued: Queued


def _complete_in(db: orm.Session, turns: Sequence[FinishedTurn], now: datetime, origin: str) -> list[Written]:
    """Write `turns`; raises LeaseLost (the caller rolls back) when any of them is not ours."""
    for token in {claim.token for claim, _s, _r in turns}:
        ids = [claim.inbox_id for claim, _s, _r in turns if claim.token == token]
        done = db.execute(
            update(InboxRow)
            .where(InboxRow.id.in_(ids), InboxRow.lease_token == token, InboxRow.status == "processing")
            .values(status="done", lease_token=None, lease_until=None, processed_at=now, error=None)
        )
        if done.rowcount != len(ids):  # type: ignore[attr-defined]
            raise LeaseLost(f"inbox {ids}: a lease was lost")
    versions = [save_session(db, session, now) for _claim, session, _replies in turns]
    events = [row for claim, session, _r in turns for row in turn_event_values(session, claim.inbox_id, now)]
    if events:
        db.execute(insert(TurnEventRow), events)
    per_turn = [
        [
            outbox_values(keep_generated(db, reply, now), claim.inbox_id, now)
            for reply in audible(session, replies)
        ]
        for claim, session, replies in turns
    ]
    rows = [row for turn_rows in per_turn for row in turn_rows]
    if rows:
        db.execute(insert(OutboxRow), rows)
    news = [(DONE, done_payload(origin, [claim.inbox_id for claim, _s, _r in turns]))]
    announce_each(db, [(OUTBOX, ""), *news] if rows else news)
    return [
        Written(version, tuple(outgoing_from_json(row["payload"]) for row in turn_rows))
        for version, turn_rows in zip(versions, per_turn, strict=True)
    ]

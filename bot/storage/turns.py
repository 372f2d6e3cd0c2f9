"""The end of a turn: one transaction writes everything the turn produced, or nothing."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update

from bot.storage.dialect import Sessionmaker
from bot.storage.inbox import Claim
from bot.storage.outbox import add_to_outbox
from bot.storage.sessions import LeaseLost, append_records, save_session
from bot.storage.tables import InboxRow
from dialogue.clock import Clock
from dialogue.messages import OutgoingMessage
from dialogue.session import Session

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
        now = self._clock()
        async with self._sm.begin() as s:
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
            ids = [await add_to_outbox(s, reply, claim.inbox_id, now) for reply in audible(session, replies)]
        session.records.clear()
        return ids

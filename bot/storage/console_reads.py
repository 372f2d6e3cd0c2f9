"""What the agent console and the web chat read from SQL besides escalations: the conversation's turns
around an escalation, the chat's new outgoing messages, the demo suppliers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.storage.dialect import Sessionmaker
from bot.storage.serde import outgoing_from_json
from bot.storage.tables import InboxRow, OutboxRow, SupplierRow, TurnEventRow
from dialogue.messages import OutgoingMessage


@dataclass(frozen=True, slots=True)
class SaidLine:
    """A turn's words: the supplier's ("user", at its arrival) or the bot's ("bot", when it answered)."""

    speaker: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class QueuedReply:
    """An outgoing message of a conversation, with its outbox id and the external id it answers ("")."""

    id: int
    message: OutgoingMessage
    reply_to: str


class ConsoleReads:
    def __init__(self, sessionmaker: Sessionmaker) -> None:
        self._sm = sessionmaker

    async def turns_around(
        self,
        conversation_key: str,
        *,
        start: datetime,
        end: datetime | None,
        before: int,
        after: int,
    ) -> list[SaidLine]:
        """The last `before` turns' lines before `start`, then up to `after` from `start` to `end`, in order.

        A supplier's line carries its arrival time, so it shows before the escalation its turn opened.
        """
        said = (
            TurnEventRow.conversation_key == conversation_key,
            TurnEventRow.kind.in_(("user", "bot")),
            TurnEventRow.text != "",
        )
        columns = (TurnEventRow.kind, TurnEventRow.text, TurnEventRow.created_at, InboxRow.received_at)
        joined = select(*columns).outerjoin(InboxRow, InboxRow.id == TurnEventRow.inbox_id)
        earlier_q = joined.where(*said, TurnEventRow.created_at < start)
        later_q = joined.where(*said, TurnEventRow.created_at >= start)
        if end is not None:
            later_q = later_q.where(TurnEventRow.created_at <= end)
        async with self._sm() as s:
            earlier = (await s.execute(earlier_q.order_by(TurnEventRow.id.desc()).limit(before))).all()
            later = (await s.execute(later_q.order_by(TurnEventRow.id).limit(after))).all()
        return [
            SaidLine("user", row.text, row.received_at or row.created_at)
            if row.kind == "user"
            else SaidLine("bot", row.text, row.created_at)
            for row in [*reversed(earlier), *later]
        ]

    async def latest_outgoing(self, conversation_key: str) -> int:
        """The outbox id of the conversation's newest outgoing message (0: none yet): a chat's cursor."""
        query = select(func.max(OutboxRow.id)).where(OutboxRow.conversation_key == conversation_key)
        async with self._sm() as s:
            return int((await s.execute(query)).scalar() or 0)

    async def outgoing_after(self, conversation_key: str, after: int, *, limit: int) -> list[QueuedReply]:
        """Up to `limit` of the conversation's outgoing messages after outbox id `after`, but failed ones."""
        query = (
            select(OutboxRow.id, OutboxRow.payload, InboxRow.external_id)
            .outerjoin(InboxRow, InboxRow.id == OutboxRow.inbox_id)
            .where(
                OutboxRow.conversation_key == conversation_key,
                OutboxRow.id > after,
                OutboxRow.status != "failed",
            )
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        async with self._sm() as s:
            rows = (await s.execute(query)).all()
        return [QueuedReply(row.id, outgoing_from_json(row.payload), row.external_id or "") for row in rows]

    async def suppliers(self, *, limit: int) -> Sequence[tuple[str, str]]:
        """(id, name) of the first `limit` suppliers by id: the web chat's demo picker."""
        query = select(SupplierRow.id, SupplierRow.name).order_by(SupplierRow.id).limit(limit)
        async with self._sm() as s:
            return [(row.id, row.name) for row in (await s.execute(query)).all()]

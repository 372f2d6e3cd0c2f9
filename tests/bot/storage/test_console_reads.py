"""The console's reads: the turns around an escalation, the web chat's new messages, the demo suppliers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.storage.console_reads import ConsoleReads, SaidLine
from bot.storage.db import make_sessionmaker
from bot.storage.serde import outgoing_from_json, outgoing_to_json
from bot.storage.tables import InboxRow, OutboxRow, SupplierRow, TurnEventRow
from dialogue.messages import ConversationKey, OutgoingMessage, Platform

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = ConversationKey(Platform.WEB, "ann")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def said(kind: str, text: str, minute: int, inbox_id: int | None = None) -> TurnEventRow:
    return TurnEventRow(
        conversation_key=KEY.as_str(), kind=kind, text=text, inbox_id=inbox_id, created_at=at(minute)
    )


def inbox(external_id: str, minute: int) -> InboxRow:
    return InboxRow(
        platform="web",
        external_id=external_id,
        conversation_key=KEY.as_str(),
        payload={},
        status="done",
        received_at=at(minute),
    )


def outgoing(text: str, status: str = "sent", inbox_id: int | None = None) -> OutboxRow:
    message = OutgoingMessage(KEY, text)
    return OutboxRow(
        conversation_key=KEY.as_str(),
        platform="web",
        payload=outgoing_to_json(message),
        status=status,
        inbox_id=inbox_id,
        next_attempt_at=T0,
        created_at=T0,
    )


async def test_the_transcript_shows_recent_history_then_the_escalated_part(engine: Any) -> None:
    sm = make_sessionmaker(engine)
    async with sm.begin() as s:
        arrived = inbox("m3", 29)  # the supplier's message that opened the escalation at minute 30
        s.add(arrived)
        await s.flush()
        s.add_all(
            [
                said("user", "hello", 1),
                said("bot", "hi, how can I help?", 2),
                said("system", "internal", 3),
                said("bot", "", 4),  # nothing said: not shown
                said("user", "I need a person", 30, inbox_id=arrived.id),
                said("user", "thanks, solved", 50),
                said("user", "one more thing", 70),  # after the person's part ended: the bot's again
            ]
        )
    reads = ConsoleReads(sm)

    lines = await reads.turns_around(KEY.as_str(), start=at(30), end=at(60), before=1, after=10)

    assert lines == [
        SaidLine("bot", "hi, how can I help?", at(2)),  # one line of history
        SaidLine("user", "I need a person", at(29)),  # shown at its arrival
        SaidLine("user", "thanks, solved", at(50)),
    ]
    still_open = await reads.turns_around(KEY.as_str(), start=at(30), end=None, before=0, after=10)
    assert [line.text for line in still_open] == ["I need a person", "thanks, solved", "one more thing"]


async def test_the_web_chat_starts_at_the_newest_message_and_then_gets_what_follows(engine: Any) -> None:
    sm = make_sessionmaker(engine)
    reads = ConsoleReads(sm)
    assert await reads.latest_outgoing(KEY.as_str()) == 0  # nothing yet

    async with sm.begin() as s:
        question = inbox("m1", 0)
        s.add(question)
        await s.flush()
        s.add_all([outgoing("old"), outgoing("answer", inbox_id=question.id)])
        s.add_all([outgoing("lost", status="failed"), outgoing("queued", status="pending")])
    async with sm() as s:
        ids = sorted((await s.execute(OutboxRow.__table__.select())).scalars())

    cursor = await reads.latest_outgoing(KEY.as_str())
    assert cursor == ids[-1]
    after_old = await reads.outgoing_after(KEY.as_str(), ids[0], limit=10)
    assert [(r.message.text, r.reply_to) for r in after_old] == [("answer", "m1"), ("queued", "")]
    assert after_old[0].message == outgoing_from_json(outgoing_to_json(OutgoingMessage(KEY, "answer")))
    assert [r.message.text for r in await reads.outgoing_after(KEY.as_str(), ids[0], limit=1)] == ["answer"]


async def test_the_demo_picker_lists_suppliers_by_id(engine: Any) -> None:
    sm = make_sessionmaker(engine)
    async with sm.begin() as s:
        s.add_all([SupplierRow(id="S2", name="Beta"), SupplierRow(id="S1", name="Acme")])
    assert list(await ConsoleReads(sm).suppliers(limit=10)) == [("S1", "Acme"), ("S2", "Beta")]

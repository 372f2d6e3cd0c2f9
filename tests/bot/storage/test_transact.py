"""The pipeline's transactions as one function each: on SQLite in a writer thread of their own."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.db import make_engine, make_sessionmaker, sqlite_file
from bot.storage.inbox import Inbox
from bot.storage.migrate import upgrade
from bot.storage.tables import InboxRow
from bot.storage.transact import OnLoop, WriterThread, transact_for
from dialogue.clock import system_clock
from dialogue.messages import ConversationKey, IncomingMessage, Platform, Sender

SENT_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a fixed instant: nothing here depends on the day


def message(chat: str, n: int) -> IncomingMessage:
    return IncomingMessage(
        platform=Platform.TELEGRAM,
        conversation=ConversationKey(Platform.TELEGRAM, chat),
        sender=Sender(chat),
        text=f"where is PO-{1000 + n}?",
        external_id=f"{chat}-{n}",
        timestamp=SENT_AT,
    )


def inbox_row(external_id: str) -> dict[str, Any]:
    return {
        "platform": "telegram",
        "external_id": external_id,
        "conversation_key": "telegram:42",
        "payload": {},
        "status": "pending",
        "attempts": 0,
        "received_at": SENT_AT,
    }


async def stored_ids(engine: Any) -> list[str]:
    async with make_sessionmaker(engine)() as s:
        return list((await s.execute(select(InboxRow.external_id).order_by(InboxRow.id))).scalars())


async def test_a_transaction_commits_when_its_body_returns_and_rolls_back_when_it_raises(engine: Any) -> None:
    transact = transact_for(engine)
    try:
        await transact(lambda db: db.execute(insert(InboxRow).values(**inbox_row("kept"))))

        def half_done(db: Session) -> None:
            db.execute(insert(InboxRow).values(**inbox_row("lost")))
            raise RuntimeError("the lease was lost")

        with pytest.raises(RuntimeError, match="lease"):
            await transact(half_done)
        assert await stored_ids(engine) == ["kept"]
    finally:
        await transact.close()


async def test_one_statement_is_a_transaction_of_its_own(engine: Any) -> None:
    transact = transact_for(engine)
    try:
        stored = insert(InboxRow).values(**inbox_row("alone")).returning(InboxRow.id)
        inbox_id = await transact.one(stored, lambda result: result.scalar_one())
        assert isinstance(inbox_id, int) and await stored_ids(engine) == ["alone"]
        with pytest.raises(IntegrityError):  # the same platform message id again: nothing is written
            await transact.one(insert(InboxRow).values(**inbox_row("alone")), lambda result: None)
        assert await stored_ids(engine) == ["alone"]
    finally:
        await transact.close()


async def test_on_an_sqlite_file_the_body_runs_in_the_writer_thread_not_the_event_loop(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    transact = transact_for(engine)
    try:
        assert isinstance(transact, WriterThread)
        name = await transact(lambda _db: threading.current_thread().name)
        assert name.startswith("sqlite-writer") and name != threading.current_thread().name
    finally:
        await transact.close()
        await engine.dispose()


async def test_a_database_a_second_connection_cannot_see_stays_on_the_loop() -> None:
    memory = make_engine("sqlite+aiosqlite:///:memory:")
    try:
        assert isinstance(transact_for(memory), OnLoop)
    finally:
        await memory.dispose()
    assert sqlite_file("sqlite+aiosqlite:///var/opsbot.db") == "var/opsbot.db"
    assert sqlite_file("sqlite+aiosqlite:////srv/opsbot/bot.db") == "/srv/opsbot/bot.db"
    assert sqlite_file("sqlite+aiosqlite://") is None
    assert sqlite_file("sqlite:///file:bot.db?mode=memory&uri=true") is None
    assert sqlite_file("postgresql+asyncpg://opsbot@127.0.0.1/test") is None


async def test_a_message_waits_for_the_other_connections_write_and_is_then_stored(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await upgrade(engine)
    writer = WriterThread(str(tmp_path / "bot.db"))
    inbox = Inbox(make_sessionmaker(engine), clock=system_clock, transact=writer)
    try:
        async with engine.connect() as other:
            await other.execute(text("BEGIN IMMEDIATE"))  # the other connection holds the writer lock
            await other.execute(insert(InboxRow).values(**inbox_row("first")))
            storing = asyncio.ensure_future(inbox.enqueue(message("42", 1)))
            await asyncio.sleep(0.3)
            assert not storing.done()  # waiting for the lock, not failed with "database is locked"
            await other.commit()
        result = await asyncio.wait_for(storing, 10)
        assert not result.duplicate
        assert await stored_ids(engine) == ["first", "42-1"]
    finally:
        await writer.close()
        await engine.dispose()


async def test_claims_in_the_writer_thread_race_inserts_on_the_loop_and_each_message_is_claimed_once(
    tmp_path: Path,
) -> None:
    """Two connections write the one file: the loop's stores messages while the writer claims them."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await upgrade(engine)
    writer = WriterThread(str(tmp_path / "bot.db"))
    sessionmaker = make_sessionmaker(engine)
    on_loop, in_thread = (
        Inbox(sessionmaker, clock=system_clock),
        Inbox(sessionmaker, clock=system_clock, transact=writer),
    )
    claimed: list[int] = []
    stored = asyncio.Event()

    async def claim_until_all_stored() -> None:
        while True:
            done_storing = stored.is_set()
            batch = await in_thread.claim_batch(8, lease_seconds=60)
            claimed.extend(c.inbox_id for c in batch)
            for c in batch:  # finish them, so each conversation's next message becomes claimable
                await writer(
                    lambda db, i=c.inbox_id: db.execute(
                        InboxRow.__table__.update().where(InboxRow.id == i).values(status="done")
                    )
                )
            if done_storing and not batch:
                return
            await asyncio.sleep(0)

    async def store_all() -> None:
        await asyncio.gather(*(on_loop.enqueue(message(f"chat{n % 10}", n)) for n in range(200)))
        stored.set()

    try:
        await asyncio.wait_for(asyncio.gather(store_all(), claim_until_all_stored()), 60)
        async with sessionmaker() as s:
            total = (await s.execute(select(func.count()).select_from(InboxRow))).scalar_one()
        assert total == 200
        assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 200
    finally:
        await writer.close()
        await engine.dispose()


async def test_a_closed_writer_refuses_work_and_closing_twice_is_harmless(tmp_path: Path) -> None:
    writer = WriterThread(str(tmp_path / "bot.db"))
    assert await writer(lambda db: db.execute(text("SELECT 1")).scalar_one()) == 1
    await writer.close()
    await writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        await writer(lambda db: db.execute(text("SELECT 1")).scalar_one())

"""Session expiry and scheduler leadership."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select

from bot.jobs.leader import SchedulerLeader
from bot.jobs.maintenance import expire_sessions
from bot.storage.sessions import save_session
from bot.storage.tables import ConversationRow, TurnEventRow
from dialogue.messages import ConversationKey, Platform
from tests.conftest import MakeRuntime

TTL = timedelta(minutes=30)  # dialogue.session_ttl_minutes


async def test_idle_session_forms_expire_and_history_is_kept(make_runtime: MakeRuntime, clock: Any) -> None:
    runtime = await make_runtime(start=False, use_clock=True)
    session = await runtime.store.sessions.load(ConversationKey(Platform.WEB, "u1"), "u1")
    session.active_form = "inventory_update"
    session.slots = {"sku": "AB-1020", "qty": 450}
    now = clock()
    await runtime.store.transact(lambda db: save_session(db, session, now))
    assert await expire_sessions(runtime.store.sessionmaker, clock=clock, ttl=TTL) == 0  # not idle yet
    clock.advance(minutes=31)
    assert await expire_sessions(runtime.store.sessionmaker, clock=clock, ttl=TTL) == 1
    async with runtime.store.sessionmaker() as s:
        row = (await s.execute(select(ConversationRow))).scalar_one()
        events = list((await s.execute(select(TurnEventRow))).scalars())
    assert row.active_form is None and row.slots == {}
    assert [e.data["event"] for e in events] == ["session_expired"]


async def test_exactly_one_process_leads_the_scheduler(make_runtime: MakeRuntime, db_kind: str) -> None:
    a = await make_runtime(start=False)
    b = await make_runtime(start=False)
    la = SchedulerLeader(a.engine, AsyncIOScheduler(timezone="UTC"), retry_seconds=0.05)
    lb = SchedulerLeader(b.engine, AsyncIOScheduler(timezone="UTC"), retry_seconds=0.05)
    await la.start()
    import asyncio

    await asyncio.sleep(0.3)
    await lb.start()
    await asyncio.sleep(0.3)
    if db_kind == "postgres":
        assert la.is_leader and not lb.is_leader
        await la.stop()  # the leader dies: the other takes over
        for _ in range(40):
            if lb.is_leader:
                break
            await asyncio.sleep(0.05)
        assert lb.is_leader
    else:
        assert la.is_leader  # SQLite: one process, always the leader
    await la.stop()
    await lb.stop()

"""The SLA ladder on the real store: each step once, across a restart and across two processes.

Timeline (claim SLA 15 min, resolve SLA 240 min, warning at 80%), with an injected clock:
  09:00  escalated; nothing is due
  09:15  unclaimed: the desk is reminded, mentioning the agents (once)
  -----  the process restarts: a new service and watch on the same database
  12:12  80% of the resolve time: a warning in the card's thread (once)
  13:00  the deadline passes: a DM to the lead, the card marked breached (once)
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.storage.db import make_sessionmaker
from bot.storage.escalations import SqlEscalations
from bot.storage.serde import outgoing_from_json
from bot.storage.tables import OutboxRow
from dialogue.clock import ManualClock
from dialogue.handoff.commands import Claim, Resolve
from dialogue.handoff.model import Agent, Reason
from dialogue.handoff.requests import EscalationRequest
from dialogue.handoff.service import HandoffService
from dialogue.handoff.sla_watch import SlaWatch
from dialogue.messages import ConversationKey, OutgoingMessage, Platform
from dialogue.settings import HandoffSettings
from tests.fakes.backend import FakeBackend

DESK = ConversationKey(Platform.SLACK, "CSUP")
SETTINGS = HandoffSettings(lead_user_id="ULEAD")


def watch_on(
    engine: Any, clock: ManualClock, settings: HandoffSettings = SETTINGS
) -> tuple[HandoffService, SlaWatch]:
    """A fresh service and SLA watch on `engine`, as a (re)started process builds them."""
    store = SqlEscalations(make_sessionmaker(engine), clock=clock)
    service = HandoffService(
        store=store,
        backend=FakeBackend(),
        clock=clock,
        settings=settings,
        desk=DESK,
        audience=("group:SAGENTS",),
    )
    return service, SlaWatch(service, settings=settings, clock=clock)


async def escalate(service: HandoffService, key: str = "telegram:7001") -> int:
    request = EscalationRequest(key, (Reason("user_request", '"a person please"'),), "en", f"r-{key}")
    escalation, _ = await service.escalate(request)
    return escalation.id


async def queued(engine: Any) -> list[OutgoingMessage]:
    async with make_sessionmaker(engine)() as s:
        rows = (await s.execute(select(OutboxRow.payload).order_by(OutboxRow.id))).scalars()
        return [outgoing_from_json(p) for p in rows]


async def test_each_step_fires_once_across_a_restart(engine: Any) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    service, watch = watch_on(engine, clock)
    escalation_id = await escalate(service)
    assert await watch.tick() == []
    clock.advance(minutes=15)
    assert [s.step for s in await watch.tick()] == ["renotified"]
    assert await watch.tick() == []
    reminder = (await queued(engine))[-1]
    assert reminder.notify == ("group:SAGENTS",) and "Still unclaimed after 15 minutes" in reminder.text

    service, watch = watch_on(engine, clock)  # a restart between the escalation and the next due time
    await service.execute(Claim(escalation_id, Agent("slack:UANN", "Ann")))
    clock.advance(minutes=176)  # 12:11
    assert await watch.tick() == []
    clock.advance(minutes=1)  # 12:12, 80% of 240 minutes
    assert [s.step for s in await watch.tick()] == ["warned"]
    clock.advance(minutes=48)  # 13:00
    assert [s.step for s in await watch.tick()] == ["breached"]
    assert await watch.tick() == []
    messages = await queued(engine)
    [dm] = [m for m in messages if m.conversation == ConversationKey(Platform.SLACK, "ULEAD")]
    assert dm.text.startswith(f"SLA breached: escalation #{escalation_id}")
    card = [m for m in messages if m.card is not None][-1].card
    assert card is not None and card.title.startswith("[SLA BREACHED]")
    kinds = [e.kind for e in await service.store.events(escalation_id)]
    assert [k for k in kinds if k in ("renotified", "warned", "breached")] == [
        "renotified",
        "warned",
        "breached",
    ]


async def test_two_processes_ticking_at_once_fire_each_step_once(engine: Any, other_engine: Any) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    first, watch_a = watch_on(engine, clock)
    ids = [await escalate(first, f"telegram:{n}") for n in range(5)]
    _second, watch_b = watch_on(other_engine, clock)
    clock.advance(minutes=241)
    fired_a, fired_b = await asyncio.gather(watch_a.tick(), watch_b.tick())
    steps = sorted((s.escalation_id, s.step) for s in (*fired_a, *fired_b))
    assert steps == sorted((i, step) for i in ids for step in ("breached", "renotified"))


async def test_the_clock_runs_only_in_business_hours() -> None:
    settings = HandoffSettings(
        claim_sla_minutes=60,
        business_hours={"enabled": True, "timezone": "Europe/Berlin"},  # type: ignore[arg-type]
    )
    friday = ManualClock(datetime(2026, 11, 27, 16, 30, tzinfo=UTC))  # 17:30 in Berlin
    service = HandoffService(
        store=_NoStore(), backend=FakeBackend(), clock=friday, settings=settings, desk=None
    )
    assert service.due(friday(), 60) == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # Monday 09:30 in Berlin


async def test_a_resolved_escalation_closes_after_the_auto_close_time(engine: Any) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    service, watch = watch_on(engine, clock, HandoffSettings(auto_close_hours=24, csat=False))
    escalation_id = await escalate(service)
    ann = Agent("slack:UANN", "Ann")
    await service.execute(Claim(escalation_id, ann))
    await service.execute(Resolve(escalation_id, ann))
    clock.advance(hours=23)
    assert [s.step for s in await watch.tick()] == []
    clock.advance(hours=2)
    assert [s.step for s in await watch.tick()] == ["closed"]
    stored = await service.store.get(escalation_id)
    assert stored is not None and stored.status == "closed"


class _NoStore:
    """Deadlines need no store."""

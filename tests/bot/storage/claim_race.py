"""A process that clicks Claim five times at once (run by test_escalations: two of these race)."""

from __future__ import annotations

import asyncio
import json
import sys

from bot.storage.db import make_engine, make_sessionmaker
from bot.storage.escalations import SqlEscalations
from dialogue.clock import system_clock
from dialogue.handoff.commands import Claim
from dialogue.handoff.model import Agent
from dialogue.handoff.service import HandoffService
from dialogue.settings import HandoffSettings
from tests.fakes.backend import FakeBackend


async def main(url: str, schema: str, escalation_id: int, name: str) -> None:
    engine = make_engine(url, search_path=schema or None, pool_size=10)
    store = SqlEscalations(make_sessionmaker(engine), clock=system_clock)
    service = HandoffService(
        store=store, backend=FakeBackend(), clock=system_clock, settings=HandoffSettings(), desk=None
    )
    agents = [Agent(f"slack:U{name}{i}", f"{name}{i}") for i in range(5)]
    print("ready", flush=True)
    sys.stdin.readline()  # the parent's go: both processes click at the same moment
    outcomes = await asyncio.gather(*(service.execute(Claim(escalation_id, agent)) for agent in agents))
    rows = [{"agent": a.id, "ok": o.ok, "problem": o.problem} for a, o in zip(agents, outcomes, strict=True)]
    print(json.dumps(rows))
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))

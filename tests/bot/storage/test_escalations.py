"""Escalations in SQL: one open per conversation, idempotent per message, one winner per claim."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dialogue.handoff.commands import Claim
from dialogue.handoff.model import Agent, Reason, Status
from dialogue.handoff.requests import EscalationRequest
from tests.conftest import MakeRuntime

ROOT = Path(__file__).resolve().parents[3]


def request(message_id: str, key: str = "web:x") -> EscalationRequest:
    return EscalationRequest(
        conversation_key=key,
        reasons=(Reason("user_request", '"help"'),),
        language="en",
        request_id=f"web:{message_id}",
        text="help",
    )


async def test_escalation_is_idempotent_per_message(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(start=False)
    first, first_created = await runtime.handoff.escalate(request("m1"))
    again, again_created = await runtime.handoff.escalate(request("m1"))  # reprocessed after a crash
    later, later_created = await runtime.handoff.escalate(request("m2"))  # a second trigger
    assert first_created and again_created and again.id == first.id
    assert not later_created and later.id == first.id
    events = [e.kind for e in await runtime.escalations.events(first.id)]
    assert events == ["created", "trigger"]  # the second trigger changed no state, it added an event


async def test_ten_concurrent_claims_have_exactly_one_winner(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(start=False)
    escalation, _ = await runtime.handoff.escalate(request("m1"))
    agents = [Agent(f"slack:U{i}", f"Agent {i}") for i in range(10)]
    outcomes = await asyncio.gather(
        *(runtime.handoff.execute(Claim(escalation.id, agent)) for agent in agents)
    )
    winners = [o for o in outcomes if o.ok]
    assert len(winners) == 1
    winner = winners[0].escalation
    assert winner is not None and winner.status == Status.ASSIGNED and winner.assignee is not None
    losers = [o.problem for o in outcomes if not o.ok]
    assert losers == [f"already claimed by {winner.assignee.display}"] * 9
    stored = await runtime.escalations.get(escalation.id)
    assert stored is not None and stored.assignee == winner.assignee and stored.version == 2


async def test_ten_claims_from_two_processes_have_exactly_one_winner(
    make_runtime: MakeRuntime, database: tuple[str, str | None], db_kind: str
) -> None:
    """Two OS processes, five agents each, all clicking Claim on one escalation at the same moment."""
    import json
    import sys

    runtime = await make_runtime(start=False)
    escalation, _ = await runtime.handoff.escalate(request("m1"))
    url, schema = database
    root = ROOT
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.bot.storage.claim_race",
            url,
            schema or "",
            str(escalation.id),
            name,
            cwd=root,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for name in ("A", "B")
    ]
    for proc in procs:
        assert proc.stdout is not None and (await proc.stdout.readline()).strip() == b"ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        await proc.stdin.drain()
    results = []
    for proc in procs:
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
        results.extend(json.loads(out.decode().strip().splitlines()[-1]))
    winners = [r["agent"] for r in results if r["ok"]]
    assert len(results) == 10 and len(winners) == 1
    stored = await runtime.escalations.get(escalation.id)
    assert stored is not None and stored.assignee is not None and stored.assignee.id == winners[0]
    assert all(
        r["problem"] == f"already claimed by {stored.assignee.display}" for r in results if not r["ok"]
    )

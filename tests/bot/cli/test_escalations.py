"""One way in for agents: Ann claims an escalation in Slack, in the web console and in a terminal, and
each time her action is the same command for the handoff service, with the same effect."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.storage.db import make_engine, make_sessionmaker
from bot.storage.escalations import SqlEscalations
from bot.storage.serde import outgoing_from_json
from bot.storage.tables import OutboxRow
from dialogue.clock import system_clock
from dialogue.handoff.commands import AgentCommand, Claim, Note, Reply
from dialogue.handoff.model import Agent, Escalation, Reason, Status
from dialogue.handoff.requests import EscalationRequest, Outcome
from dialogue.handoff.service import HandoffService
from dialogue.handoff.store import EscalationStore
from dialogue.settings import HandoffSettings
from tests.adapters.web.test_console import Desk, MemoryConsole, console_client
from tests.fakes.backend import FakeBackend
from tests.fakes.conversation import Conversation
from tests.fakes.desk import DESK, AgentDesk

runner = CliRunner()
SUPPLIER = "telegram:7001"


@dataclass(frozen=True, slots=True)
class Effect:
    """What a claim changed, whichever desk it came from."""

    status: Status
    held_by: str
    supplier_told: str
    events: tuple[str, ...]


async def effect(store: EscalationStore, esc: Escalation | None, supplier_told: str) -> Effect:
    assert esc is not None and esc.assignee is not None
    events = tuple(e.kind for e in await store.events(esc.id))
    return Effect(esc.status, esc.assignee.display, supplier_told, events)


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[AgentCommand]:
    """Every command the handoff service is given, from any desk."""
    given: list[AgentCommand] = []
    execute = HandoffService.execute

    async def recording(self: HandoffService, command: AgentCommand) -> Outcome:
        given.append(command)
        return await execute(self, command)

    monkeypatch.setattr(HandoffService, "execute", recording)
    return given


async def claim_in_slack() -> Effect:
    chat = Conversation(desk=DESK)
    await chat.one("talk to a human")
    assert await AgentDesk(chat).click("UANN", "handoff:claim:1") == []
    told = chat.escalations.queued_to(chat.session.key.as_str())[-1].text
    return await effect(chat.escalations, chat.escalations.all[0], told)


async def claim_in_the_console() -> Effect:
    console = MemoryConsole()
    esc_id = await console.supplier_asks_for_a_person()
    assert Desk(console_client(console), "Ann").do("claim", esc_id).json()["ok"]
    return await effect(console.store, await console.store.get(esc_id), console.to_supplier()[-1])


def claim_in_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Effect:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.delenv("OPSBOT_CONFIG", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    store = SqlEscalations(make_sessionmaker(engine), clock=system_clock)

    async def supplier_asks_for_a_person() -> None:
        service = HandoffService(
            store=store, backend=FakeBackend(), clock=system_clock, settings=HandoffSettings(), desk=None
        )
        request = EscalationRequest(SUPPLIER, (Reason("user_request"),), "en", "m1", "a person please")
        await service.escalate(request)

    async def what_changed() -> Effect:
        async with make_sessionmaker(engine)() as db:
            rows = (await db.execute(select(OutboxRow.payload).order_by(OutboxRow.id))).scalars()
            told = [m.text for m in map(outgoing_from_json, rows) if m.conversation.as_str() == SUPPLIER]
        changed = await effect(store, await store.get(1), told[-1])
        await engine.dispose()
        return changed

    asyncio.run(supplier_asks_for_a_person())
    claimed = runner.invoke(app, ["escalations", "claim", "1", "--as", "Ann"])
    assert claimed.exit_code == 0 and "#1 claimed" in claimed.output, claimed.output
    return asyncio.run(what_changed())


def test_a_claim_is_one_command_with_one_effect_at_every_desk(
    commands: list[AgentCommand], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_slack = asyncio.run(claim_in_slack())
    in_the_console = asyncio.run(claim_in_the_console())
    in_a_terminal = claim_in_a_terminal(tmp_path, monkeypatch)

    assert commands == [
        Claim(1, Agent("slack:UANN", "Ann")),
        Claim(1, Agent("web:Ann", "Ann")),
        Claim(1, Agent("cli:Ann", "Ann")),
    ]
    assert in_slack == in_the_console == in_a_terminal
    assert in_slack.status == Status.ASSIGNED and in_slack.held_by == "Ann"
    assert "Ann from our team has taken over" in in_slack.supplier_told
    assert in_slack.events == ("created", "assigned")


async def test_a_thread_message_is_a_reply_from_the_assignee_and_a_note_from_anyone_else(
    commands: list[AgentCommand],
) -> None:
    chat = Conversation(desk=DESK)
    await chat.one("talk to a human")
    chat.escalations.card_posted(1, "1700000000.000100")
    desk = AgentDesk(chat)
    await desk.click("UANN", "handoff:claim:1")
    await desk.says("UANN", "PO-1001 arrives Thursday.", thread="1700000000.000100")
    await desk.says("UBOB", "I can take it", thread="1700000000.000100")
    await desk.says("UANN", "note: called them", thread="1700000000.000100")

    ann, bob = Agent("slack:UANN", "Ann"), Agent("slack:UBOB", "Bob")
    assert commands[1:] == [
        Reply(1, ann, "PO-1001 arrives Thursday.", source_ref="CSUP:1700000002.000100", on_desk=False),
        Note(1, bob, "I can take it", on_desk=False),
        Note(1, ann, "called them", on_desk=False),
    ]

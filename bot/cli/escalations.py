"""`opsbot escalations ...`: the whole handoff from a terminal, through the same service as Slack.

Each change is one agent command (dialogue/handoff/commands.py) for `HandoffService.execute`, the same way
in as the Slack desk and the web console; agent "ann" is `Agent("cli:ann", "ann")`.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.base import ConfigOption, app, command, fail, load, with_engine
from bot.handoff_wiring import build_handoff
from bot.storage.backend import SqlBackend
from bot.storage.db import make_sessionmaker
from bot.storage.escalations import SqlEscalations
from dialogue.clock import system_clock
from dialogue.handoff.card import status_line
from dialogue.handoff.commands import (
    AgentCommand,
    Claim,
    Note,
    Reply,
    Resolve,
    ReturnToBot,
    TakeOver,
    Transfer,
    Unassign,
)
from dialogue.handoff.model import OPEN_STATUSES, Agent, Escalation, Status
from dialogue.handoff.requests import Outcome
from dialogue.handoff.service import HandoffService
from dialogue.messages import ConversationKey

escalations_app = typer.Typer(
    help="Work escalations from the terminal (the same rules as in Slack).", no_args_is_help=True
)
app.add_typer(escalations_app, name="escalations")

R = TypeVar("R")
AsOption = typer.Option(None, "--as", help="Your agent name (default: your login name).")


def _agent(name: str | None) -> Agent:
    who = name or getpass.getuser()
    return Agent(f"cli:{who}", who)


def _run(config_path: Path | None, fn: Callable[[HandoffService, SqlEscalations], Awaitable[R]]) -> R:
    config = load(config_path)

    async def go(engine: AsyncEngine) -> R:
        sessionmaker = make_sessionmaker(engine)
        store = SqlEscalations(sessionmaker, clock=system_clock)
        backend = SqlBackend(sessionmaker, clock=system_clock)
        service = build_handoff(config, store=store, backend=backend, clock=system_clock)
        return await fn(service, store)

    return asyncio.run(with_engine(config, go))


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


def _line(esc: Escalation) -> str:
    who = esc.supplier_name or esc.user_name or esc.conversation_key
    reasons = ", ".join(r.code for r in esc.reasons)
    head = f"#{esc.id:<5} {esc.status.value:<9} {esc.priority.value:<6}"
    return f"{head} {who[:28]:<28} {reasons[:30]:<30} {status_line(esc)}"


def _done(outcome: Outcome, what: str) -> None:
    if not outcome.ok:
        raise fail(outcome.problem)
    assert outcome.escalation is not None
    typer.echo(f"#{outcome.escalation.id} {what}: {status_line(outcome.escalation)}")


def _execute(config_path: Path | None, command: AgentCommand, what: str) -> None:
    """Carry out the agent's command and print the escalation's new state (or why it was refused)."""
    _done(_run(config_path, lambda service, _store: service.execute(command)), what)


@command(escalations_app, "list")
def list_escalations(
    config_path: Path | None = ConfigOption,
    show_all: bool = typer.Option(
        False, "--all", help="Also the resolved, returned, withdrawn and closed ones."
    ),
    limit: int = typer.Option(50, min=1),
) -> None:
    """The open escalations (pending first), with their status and deadline."""
    statuses = list(Status) if show_all else sorted(OPEN_STATUSES)
    found = _run(config_path, lambda service, store: store.with_status(statuses, limit))
    if not found:
        typer.echo("no escalations" if show_all else "no open escalations")
        return
    for esc in sorted(found, key=lambda e: (e.status != Status.PENDING, e.id)):
        typer.echo(_line(esc))


@command(escalations_app, "show")
def show_escalation(escalation_id: int, config_path: Path | None = ConfigOption) -> None:
    """One escalation: who, why, the conversation so far and every change."""

    async def go(service: HandoffService, store: SqlEscalations) -> tuple[Escalation | None, list[str]]:
        esc = await store.get(escalation_id)
        if esc is None:
            return None, []
        events = [
            f"{e.at:%Y-%m-%d %H:%M:%S}  {e.kind:<14} {e.actor:<24} {_data(e.data)}"
            for e in await store.events(esc.id)
        ]
        return esc, events

    esc, events = _run(config_path, go)
    if esc is None:
        raise fail(f"no escalation #{escalation_id}")
    typer.echo(_line(esc))
    typer.echo(
        f"conversation: {esc.conversation_key}   language: {esc.language}   opened: {_when(esc.created_at)}"
    )
    supplier = f"{esc.supplier_name} ({esc.supplier_id})" if esc.supplier_id else "not linked"
    typer.echo(f"supplier: {supplier}   on platform: {esc.user_name or '-'}")
    for reason in esc.reasons:
        typer.echo(f"reason: {reason.describe()}")
    if esc.order_ids or esc.invoice_ids:
        typer.echo("about: " + ", ".join((*esc.order_ids, *esc.invoice_ids)))
    if esc.summary:
        typer.echo("conversation before the escalation:")
        for turn in esc.summary:
            typer.echo(f"  {turn.who}: {turn.text}")
    typer.echo("events:")
    for event in events:
        typer.echo(f"  {event}")


def _data(data: object) -> str:
    if not isinstance(data, dict):
        return ""
    return ", ".join(
        f"{k}={v}" for k, v in data.items() if k not in ("request_id",) and v not in ("", None, [])
    )


@command(escalations_app, "claim")
def claim(escalation_id: int, config_path: Path | None = ConfigOption, as_: str | None = AsOption) -> None:
    """Take an escalation: you are now the one the supplier talks to."""
    _execute(config_path, Claim(escalation_id, _agent(as_)), "claimed")


@command(escalations_app, "unassign")
def unassign(escalation_id: int, config_path: Path | None = ConfigOption, as_: str | None = AsOption) -> None:
    """Give it back to the queue (the desk is notified again)."""
    _execute(config_path, Unassign(escalation_id, _agent(as_)), "unassigned")


@command(escalations_app, "transfer")
def transfer(
    escalation_id: int,
    to: str = typer.Argument(..., help="The agent to hand it to, e.g. slack:U0123 or cli:ann."),
    name: str = typer.Option("", help="Their display name."),
    config_path: Path | None = ConfigOption,
    as_: str | None = AsOption,
) -> None:
    """Hand an escalation you hold to another agent."""
    target = Agent(to if ":" in to else f"cli:{to}", name or to.split(":", 1)[-1])
    _execute(config_path, Transfer(escalation_id, _agent(as_), target), "transferred")


@command(escalations_app, "reply")
def reply(
    escalation_id: int,
    text: str = typer.Argument(..., help="What the supplier receives (light Markdown: **bold**, _italic_)."),
    config_path: Path | None = ConfigOption,
    as_: str | None = AsOption,
) -> None:
    """Send the supplier a message (only the assignee can); it also appears in the card's thread."""
    _execute(config_path, Reply(escalation_id, _agent(as_), text, on_desk=True), "replied")


@command(escalations_app, "note")
def note(
    escalation_id: int,
    text: str = typer.Argument(..., help="An internal note: never sent to the supplier."),
    config_path: Path | None = ConfigOption,
    as_: str | None = AsOption,
) -> None:
    """Add an internal note (it appears in the card's thread, never to the supplier)."""
    _execute(config_path, Note(escalation_id, _agent(as_), text, on_desk=True), "noted")


@command(escalations_app, "resolve")
def resolve(escalation_id: int, config_path: Path | None = ConfigOption, as_: str | None = AsOption) -> None:
    """Close the conversation with the supplier; the bot answers their next message."""
    _execute(config_path, Resolve(escalation_id, _agent(as_)), "resolved")


@command(escalations_app, "return")
def return_to_bot(
    escalation_id: int, config_path: Path | None = ConfigOption, as_: str | None = AsOption
) -> None:
    """Hand the conversation back to the bot without resolving it."""
    _execute(config_path, ReturnToBot(escalation_id, _agent(as_)), "returned to the bot")


@command(escalations_app, "take")
def take(
    conversation: str = typer.Argument(
        ..., help="A conversation key, e.g. telegram:12345 (see `opsbot conversations list`)."
    ),
    config_path: Path | None = ConfigOption,
    as_: str | None = AsOption,
    language: str = typer.Option("en", help="The supplier's language for the notice (en or zh)."),
) -> None:
    """Take a conversation over from the bot, without waiting for a trigger."""
    try:
        ConversationKey.parse(conversation)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    _execute(config_path, TakeOver(conversation, _agent(as_), language), "taken over")

"""`opsbot conversations ...`: inspect sessions and their turn log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import select

from bot.cli.base import ConfigOption, command, conversations_app, load, run_with_engine
from bot.storage.db import make_sessionmaker
from bot.storage.sessions import held_by_person
from bot.storage.tables import ConversationRow, TurnEventRow


def _run(config_path: Path | None, fn: Any) -> Any:
    async def go(engine: Any) -> Any:
        return await fn(make_sessionmaker(engine))

    return run_with_engine(load(config_path), go)


@command(conversations_app, "list")
def list_conversations(config_path: Path | None = ConfigOption, limit: int = 20) -> None:
    """The most recently active conversations; "held by a person" while an escalation of theirs is open."""

    async def go(sm: Any) -> list[Any]:
        async with sm() as s:
            q = (
                select(ConversationRow, held_by_person(ConversationRow.key))
                .order_by(ConversationRow.last_activity_at.desc())
                .limit(limit)
            )
            return list((await s.execute(q)).all())

    for row, held in _run(config_path, go):
        blocked = f"  BLOCKED: {row.delivery_blocked}" if row.delivery_blocked else ""
        holder = "held by a person" if held else "bot"
        typer.echo(
            f"{row.last_activity_at:%Y-%m-%d %H:%M}  {row.key:40s} supplier={row.supplier_id or '-':8s} "
            f"lang={row.language} {holder} form={row.active_form or '-'}{blocked}"
        )


@command(conversations_app, "show")
def show_conversation(
    key: str = typer.Argument(..., help="Conversation key, e.g. web:demo or telegram:12345"),
    config_path: Path | None = ConfigOption,
    limit: int = 50,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The turn log of one conversation: intent, confidence, entities, action, facts and reply."""

    async def go(sm: Any) -> list[Any]:
        async with sm() as s:
            q = (
                select(TurnEventRow)
                .where(TurnEventRow.conversation_key == key)
                .order_by(TurnEventRow.id.desc())
                .limit(limit)
            )
            return list(reversed(list((await s.execute(q)).scalars())))

    events = _run(config_path, go)
    if not events:
        typer.echo(f"no turns for {key}")
        raise typer.Exit(1)
    for e in events:
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "at": e.created_at.isoformat(),
                        "kind": e.kind,
                        "text": e.text,
                        "intent": e.intent,
                        "confidence": e.confidence,
                        "entities": e.entities,
                        "action": e.action,
                        "outcome": e.outcome,
                        "facts": e.facts,
                        "used_fallback": e.used_fallback,
                        "data": e.data,
                    },
                    ensure_ascii=False,
                    default=str,
                )
            )
            continue
        if e.kind == "user":
            conf = f"{e.confidence:.2f}" if e.confidence is not None else "-"
            typer.echo(f"{e.created_at:%H:%M:%S} user  [{e.intent} {conf}] {e.text}")
        elif e.kind == "bot":
            fb = " (fallback)" if e.used_fallback else ""
            typer.echo(f"{e.created_at:%H:%M:%S} bot   [{e.action}/{e.outcome}{fb}] {e.text}")
        else:
            typer.echo(f"{e.created_at:%H:%M:%S} {e.kind:5s} {e.data}")

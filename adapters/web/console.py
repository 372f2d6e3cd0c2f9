"""The agent console: GET /agent and its JSON API, over the same handoff service as the Slack desk.

The page polls the list of open escalations and the one it shows; every change is an agent command
(dialogue/handoff/commands.py) for `ConsoleBackend.execute`, whose implementation is
`HandoffService.execute`, the same way in as the Slack desk and the CLI: a claim has one winner, only the
assignee's replies reach the supplier, notes stay internal and the bot stays silent, as on every desk.
Agents name themselves in the page: agent "ann" is `Agent("web:ann", "ann")`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.guard import BadBody, decode_json
from adapters.web.access import ConsoleAccess, Endpoint, security_headers, with_headers
from dialogue.handoff.commands import (
    AgentCommand,
    Claim,
    Note,
    Reply,
    Resolve,
    ReturnToBot,
    Suggest,
    Transfer,
    Unassign,
)
from dialogue.handoff.model import Agent, Escalation
from dialogue.handoff.requests import Outcome

MAX_TEXT = 4000
_NAME = re.compile(r"^[\w .@'-]{1,40}$")
PAGE_HEADERS = security_headers()  # the console is never framed, whatever web.embed_origins says


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    """One line of an escalation's conversation, as the console shows it."""

    who: str  # "supplier" | "bot" | "agent" (sent to the supplier) | "note" (internal) | "event"
    text: str
    at: datetime
    author: str = ""  # the agent, for "agent", "note" and "event" lines


class ConsoleBackend(Protocol):
    """What the console needs from the application; every change goes through the handoff service."""

    def now(self) -> datetime: ...

    async def open_escalations(self) -> Sequence[Escalation]:
        """Pending and assigned escalations."""
        ...

    async def escalation(self, escalation_id: int) -> Escalation | None: ...

    async def transcript(self, escalation: Escalation) -> Sequence[TranscriptLine]:
        """The conversation around the escalation: turns, agent messages, notes and changes, in order."""
        ...

    async def execute(self, command: AgentCommand) -> Outcome:
        """Carry out an agent's command (`HandoffService.execute`); a `Suggest` outcome carries the draft."""
        ...

    async def summary(self, escalation: Escalation) -> Sequence[str]:
        """The model's three-line summary of the conversation (llm.uses assist); empty without one."""
        ...

    @property
    def suggests(self) -> bool:
        """Whether "Suggest a reply" is offered (llm.uses assist)."""
        ...


def web_agent(name: object) -> Agent:
    """The agent who typed `name` into the console; ValueError for a name the console does not take."""
    if not isinstance(name, str) or not _NAME.match(name.strip()):
        raise ValueError("'agent' must be your name: 1 to 40 letters, digits, spaces or . @ ' -")
    clean = name.strip()
    return Agent(f"web:{clean}", clean)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def escalation_json(esc: Escalation) -> dict[str, Any]:
    """One escalation as a row of the console's list (and the head of its detail)."""
    return {
        "id": esc.id,
        "status": esc.status.value,
        "priority": esc.priority.value,
        "reasons": [reason.describe() for reason in esc.reasons],
        "supplier_id": esc.supplier_id,
        "supplier_name": esc.supplier_name,
        "user_name": esc.user_name,
        "conversation": esc.conversation_key,
        "language": esc.language,
        "assignee": {"id": esc.assignee.id, "name": esc.assignee.display} if esc.assignee else None,
        "order_ids": list(esc.order_ids),
        "invoice_ids": list(esc.invoice_ids),
        "created_at": _iso(esc.created_at),
        "claim_due_at": _iso(esc.claim_due_at),
        "resolve_due_at": _iso(esc.resolve_due_at),
        "assigned_at": _iso(esc.assigned_at),
        "resolved_at": _iso(esc.resolved_at),
        "breached": esc.breached_at is not None,
        "csat_rating": esc.csat_rating,
        "csat_comment": esc.csat_comment,
    }


def line_json(line: TranscriptLine) -> dict[str, Any]:
    return {"who": line.who, "text": line.text, "at": _iso(line.at), "author": line.author}


ACTIONS = frozenset({"claim", "unassign", "transfer", "reply", "note", "resolve", "return", "suggest"})


def _text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'text' must be a non-empty string")
    if len(text) > MAX_TEXT:
        raise ValueError(f"'text' is longer than {MAX_TEXT} characters")
    return text.strip()


def console_command(escalation_id: int, action: str, body: object) -> AgentCommand:
    """The command a console request stands for (`action` is one of `ACTIONS`); ValueError for a bad body.

    Replies and notes written here are mirrored into the card's thread when there is a Slack desk.
    """
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    agent = web_agent(body.get("agent"))
    match action:
        case "reply":
            return Reply(escalation_id, agent, _text(body), on_desk=True)
        case "note":
            return Note(escalation_id, agent, _text(body), on_desk=True)
        case "transfer":
            return Transfer(escalation_id, agent, web_agent(body.get("to")))
        case "claim":
            return Claim(escalation_id, agent)
        case "unassign":
            return Unassign(escalation_id, agent)
        case "resolve":
            return Resolve(escalation_id, agent)
        case "suggest":
            return Suggest(escalation_id, agent)
        case _:
            return ReturnToBot(escalation_id, agent)


class AgentConsole:
    """The console's routes; mounted by the web chat adapter when the application gives it a backend."""

    def __init__(self, backend: ConsoleBackend, access: ConsoleAccess) -> None:
        self._backend = backend
        self._access = access

    def routes(self) -> Sequence[BaseRoute]:
        def route(path: str, endpoint: Endpoint, method: str) -> Route:
            return Route(path, with_headers(endpoint, PAGE_HEADERS), methods=[method])

        return [
            route("/agent", self._page, "GET"),
            route("/agent/login", self._login, "POST"),
            route("/agent/api/escalations", self._list, "GET"),
            route("/agent/api/escalations/{escalation_id:int}", self._detail, "GET"),
            route("/agent/api/escalations/{escalation_id:int}/{action:str}", self._act, "POST"),
        ]

    async def _page(self, request: Request) -> Response:
        refused = self._access.refuse_page(request)
        if refused is not None:
            return refused
        html = resources.files("adapters.web").joinpath("static/agent.html").read_text(encoding="utf-8")
        return HTMLResponse(html, headers=PAGE_HEADERS)

    async def _login(self, request: Request) -> Response:
        try:
            body = decode_json(await request.body())
        except BadBody as exc:
            return JSONResponse({"error": f"body is {exc.reason}"}, status_code=400)
        token = body.get("token") if isinstance(body, dict) else None
        return self._access.login(request, token)

    async def _list(self, request: Request) -> Response:
        refused = self._access.refuse(request)
        if refused is not None:
            return refused
        found = await self._backend.open_escalations()
        return JSONResponse(
            {"now": _iso(self._backend.now()), "escalations": [escalation_json(esc) for esc in found]}
        )

    async def _detail(self, request: Request) -> Response:
        refused = self._access.refuse(request)
        if refused is not None:
            return refused
        esc = await self._backend.escalation(request.path_params["escalation_id"])
        if esc is None:
            return JSONResponse({"error": "no such escalation"}, status_code=404)
        transcript = await self._backend.transcript(esc)
        return JSONResponse(
            {
                "now": _iso(self._backend.now()),
                "escalation": escalation_json(esc),
                "transcript": [line_json(line) for line in transcript],
                "summary": list(await self._backend.summary(esc)),
                "suggests": self._backend.suggests,
            }
        )

    async def _act(self, request: Request) -> Response:
        refused = self._access.refuse(request, change=True)
        if refused is not None:
            return refused
        action = request.path_params["action"]
        if action not in ACTIONS:
            return JSONResponse({"error": f"no action {action!r}"}, status_code=404)
        try:
            command = console_command(
                request.path_params["escalation_id"], action, decode_json(await request.body())
            )
        except BadBody as exc:
            return JSONResponse({"error": f"body is {exc.reason}"}, status_code=400)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if isinstance(command, Suggest) and not self._backend.suggests:
            return JSONResponse(
                {"ok": False, "error": "suggestions are off (llm.uses assist)"}, status_code=404
            )
        outcome = await self._backend.execute(command)
        esc = escalation_json(outcome.escalation) if outcome.escalation else None
        if outcome.ok:
            # A suggestion fills the agent's reply box: they edit it and send it, or not (nothing was sent).
            done = {"draft": outcome.draft} if isinstance(command, Suggest) else {"escalation": esc}
            return JSONResponse({"ok": True, **done})
        status = 404 if outcome.escalation is None else 409
        return JSONResponse({"ok": False, "error": outcome.problem, "escalation": esc}, status_code=status)

"""The agent console over HTTP: who may use it, and agents working an escalation through the real service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from adapters.base import IngestResult
from adapters.web import TranscriptLine, WebChatAdapter, WebSettings
from dialogue.clock import ManualClock
from dialogue.handoff.commands import AgentCommand
from dialogue.handoff.desk_posts import latest_summary
from dialogue.handoff.model import OPEN_STATUSES, Escalation, Reason
from dialogue.handoff.requests import EscalationRequest, Outcome
from dialogue.handoff.service import HandoffService
from dialogue.messages import IncomingMessage, OutgoingMessage
from dialogue.settings import HandoffSettings
from tests.fakes.backend import FakeBackend
from tests.fakes.escalations import MemoryEscalations

SUPPLIER = "web:guest-1"
LOCAL = "http://127.0.0.1:8000"


class MemoryConsole:
    """The console backend over the real handoff service and an in-memory store."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.store = MemoryEscalations()
        self.service = HandoffService(
            store=self.store, backend=FakeBackend(), clock=self.clock, settings=HandoffSettings(), desk=None
        )
        self.commands: list[AgentCommand] = []  # what the agents' clicks became

    def now(self) -> datetime:
        return self.clock()

    async def open_escalations(self) -> Sequence[Escalation]:
        return [e for e in self.store.all if e.status in OPEN_STATUSES]

    async def escalation(self, escalation_id: int) -> Escalation | None:
        return await self.store.get(escalation_id)

    async def transcript(self, escalation: Escalation) -> Sequence[TranscriptLine]:
        return [
            TranscriptLine(e.kind, str(e.data.get("text", "")), e.at, e.actor)
            for e in await self.store.events(escalation.id)
        ]

    async def execute(self, command: AgentCommand) -> Outcome:
        self.commands.append(command)
        return await self.service.execute(command)

    async def summary(self, escalation: Escalation) -> Sequence[str]:
        return latest_summary(await self.store.events(escalation.id))

    @property
    def suggests(self) -> bool:
        return self.service.help.assists

    async def supplier_asks_for_a_person(self) -> int:
        request = EscalationRequest(SUPPLIER, (Reason("user_request"),), "en", "m1", "a person please")
        esc, _ = await self.service.escalate(request)
        return esc.id

    def to_supplier(self) -> list[str]:
        return [m.text for m in self.store.queued_to(SUPPLIER)]


async def _ingest(message: IncomingMessage) -> IngestResult:
    return IngestResult(inbox_id=1, duplicate=False)


async def _no_replies(inbox_id: int, within: float) -> list[OutgoingMessage] | None:
    return []


def console_client(
    console: MemoryConsole | None = None,
    *,
    host: str = "127.0.0.1",
    base_url: str = LOCAL,
    token: str = "",
    **settings: Any,
) -> TestClient:
    adapter = WebChatAdapter(
        settings=WebSettings(**settings),
        ingest=_ingest,
        wait_replies=_no_replies,
        console=console or MemoryConsole(),
        agent_token=token,
    )
    return TestClient(Starlette(routes=list(adapter.routes())), base_url=base_url, client=(host, 50000))


class Desk:
    """An agent at the console."""

    def __init__(self, client: TestClient, name: str) -> None:
        self.client, self.name = client, name

    def do(self, action: str, escalation_id: int, text: str = "") -> Any:
        body = {"agent": self.name, **({"text": text} if text else {})}
        return self.client.post(f"/agent/api/escalations/{escalation_id}/{action}", json=body)


# --- access ------------------------------------------------------------------------------------


def test_the_console_is_local_by_default() -> None:
    local = console_client()
    page = local.get("/agent")
    assert page.status_code == 200 and "<title>opsbot agent console</title>" in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'self': no inline code
    assert local.get("/agent/api/escalations").json()["escalations"] == []

    remote = console_client(host="203.0.113.9")
    for response in (remote.get("/agent"), remote.get("/agent/api/escalations")):
        assert response.status_code == 403
        assert "local use" in response.json()["error"] and "AGENT_CONSOLE_TOKEN" in response.json()["error"]


def test_a_page_of_another_site_cannot_use_the_local_console() -> None:
    rebound = console_client(base_url="http://evil.example:8000")  # DNS rebinding: a loopback client
    assert rebound.get("/agent/api/escalations").status_code == 403
    local = console_client()
    forged = local.post(
        "/agent/api/escalations/1/claim",
        json={"agent": "ann"},
        headers={"Origin": "http://evil.example"},
    )
    assert forged.status_code == 403 and "cross-site" in forged.json()["error"]
    as_form = local.post("/agent/api/escalations/1/claim", content=b"agent=ann")
    assert as_form.status_code == 415


def test_remote_use_needs_the_agent_token() -> None:
    no_token = console_client(host="203.0.113.9", allow_remote=True)
    refused = no_token.get("/agent/api/escalations")
    assert refused.status_code == 403 and "AGENT_CONSOLE_TOKEN" in refused.json()["error"]

    remote = console_client(
        host="203.0.113.9", base_url="https://desk.example", allow_remote=True, token="s3cret"
    )
    assert remote.get("/agent").status_code == 200  # the page asks for the token itself
    assert remote.get("/agent/api/escalations").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert remote.get("/agent/api/escalations", headers=wrong).status_code == 401
    right = {"Authorization": "Bearer s3cret"}
    assert remote.get("/agent/api/escalations", headers=right).status_code == 200


def test_behind_a_proxy_even_local_clients_need_the_token() -> None:
    proxied = console_client(allow_remote=True, token="s3cret")
    assert proxied.get("/agent/api/escalations").status_code == 401


def test_the_token_typed_into_the_page_becomes_a_cookie() -> None:
    remote = console_client(
        host="203.0.113.9", base_url="https://desk.example", allow_remote=True, token="s3cret"
    )
    assert remote.post("/agent/login", json={"token": "guess"}).status_code == 401
    login = remote.post("/agent/login", json={"token": "s3cret"})
    assert login.status_code == 200
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    assert remote.get("/agent/api/escalations").status_code == 200


# --- agents at work ------------------------------------------------------------------------------


async def test_exactly_one_agent_wins_a_claim_and_only_they_reply() -> None:
    console = MemoryConsole()
    esc_id = await console.supplier_asks_for_a_person()
    client = console_client(console)
    ann, bob = Desk(client, "Ann"), Desk(client, "Bob")

    [row] = client.get("/agent/api/escalations").json()["escalations"]
    assert (row["id"], row["status"], row["reasons"]) == (esc_id, "pending", ["asked for a person"])
    assert row["claim_due_at"].endswith("+00:00")

    assert ann.do("claim", esc_id).json()["escalation"]["assignee"] == {"id": "web:Ann", "name": "Ann"}
    lost = bob.do("claim", esc_id)
    assert lost.status_code == 409 and lost.json()["error"] == "already claimed by Ann"
    refused = bob.do("reply", esc_id, "Hello from Bob")
    assert refused.status_code == 409 and "only Ann" in refused.json()["error"]

    assert ann.do("reply", esc_id, "Hello, I am looking at PO-1001 now.").json()["ok"]
    assert bob.do("note", esc_id, "Customer was angry last week").json()["ok"]
    told = console.to_supplier()
    assert "Hello, I am looking at PO-1001 now." in told
    assert not any("angry" in text for text in told)  # a note never reaches the supplier

    detail = client.get(f"/agent/api/escalations/{esc_id}").json()
    kinds = [(line["who"], line["author"]) for line in detail["transcript"]]
    assert ("agent_message", "web:Ann") in kinds and ("note", "web:Bob") in kinds

    assert ann.do("resolve", esc_id).json()["escalation"]["status"] == "resolved"
    assert client.get("/agent/api/escalations").json()["escalations"] == []


async def test_unclaimed_escalations_can_go_back_to_the_bot() -> None:
    console = MemoryConsole()
    esc_id = await console.supplier_asks_for_a_person()
    ann = Desk(console_client(console), "Ann")
    assert ann.do("return", esc_id).json()["escalation"]["status"] == "returned"


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        ("/agent/api/escalations/1/claim", {"agent": ""}, 400, "'agent' must be your name"),
        ("/agent/api/escalations/1/claim", {"agent": "<script>"}, 400, "'agent' must be your name"),
        ("/agent/api/escalations/1/reply", {"agent": "ann"}, 400, "'text' must be"),
        ("/agent/api/escalations/1/reply", {"agent": "ann", "text": "x" * 4001}, 400, "longer than"),
        ("/agent/api/escalations/1/explode", {"agent": "ann"}, 404, "no action 'explode'"),
        ("/agent/api/escalations/99/claim", {"agent": "ann"}, 404, "no escalation #99"),
    ],
)
async def test_bad_requests_are_refused_with_a_reason(
    path: str, body: dict[str, Any], status: int, error: str
) -> None:
    console = MemoryConsole()
    await console.supplier_asks_for_a_person()
    response = console_client(console).post(path, json=body)
    assert response.status_code == status
    assert error in response.json()["error"]


def test_without_a_backend_there_is_no_console() -> None:
    adapter = WebChatAdapter(settings=WebSettings(), ingest=_ingest, wait_replies=_no_replies)
    client = TestClient(Starlette(routes=list(adapter.routes())), base_url=LOCAL, client=("127.0.0.1", 1))
    assert client.get("/agent").status_code == 404

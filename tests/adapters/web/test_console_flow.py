"""A handoff worked from the agent console, end to end over HTTP: the real bot, SQLite and PostgreSQL.

The supplier is in the web chat (/web/messages answers inline, /web/updates brings what comes later);
the agents are in the console's API. Everything goes through the real pipeline and handoff service.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.adapters.web.conftest import console_app


class WebSupplier:
    """A supplier in the web chat page: says things, and polls for what arrives later."""

    def __init__(self, client: httpx.AsyncClient, sender: str = "guest-1") -> None:
        self.client, self.sender = client, sender
        self.cursor: int | None = None
        self.sent = 0

    async def opens_the_page(self) -> None:
        self.cursor = (await self.client.get("/web/updates", params={"sender": self.sender})).json()["cursor"]

    async def says(self, text: str, *, button: str = "") -> list[str]:
        self.sent += 1
        body = {"sender": self.sender, "text": text, "supplier_id": "SUP-001", "message_id": f"m{self.sent}"}
        if button:
            body["callback_data"] = button
        response = await self.client.post("/web/messages", json=body)
        assert response.status_code == 200, response.text
        return [reply["text"] for reply in response.json()["replies"]]

    async def later(self) -> dict[str, Any]:
        """What the page shows after its own answers: {"messages": [...], "handoff": ...}."""
        params = {"sender": self.sender, "after": str(self.cursor)}
        data: dict[str, Any] = (await self.client.get("/web/updates", params=params)).json()
        self.cursor = data["cursor"]
        data["messages"] = [m for m in data["messages"] if not m["in_reply_to"]]  # those came inline
        return data


class ConsoleAgent:
    def __init__(self, client: httpx.AsyncClient, name: str) -> None:
        self.client, self.name = client, name

    async def queue(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = (await self.client.get("/agent/api/escalations")).json()["escalations"]
        return rows

    async def does(self, action: str, escalation_id: int, text: str = "") -> httpx.Response:
        body = {"agent": self.name, **({"text": text} if text else {})}
        return await self.client.post(f"/agent/api/escalations/{escalation_id}/{action}", json=body)

    async def reads(self, escalation_id: int) -> list[tuple[str, str]]:
        detail = (await self.client.get(f"/agent/api/escalations/{escalation_id}")).json()
        return [(line["who"], line["text"]) for line in detail["transcript"]]


@pytest.fixture
async def client(web_runtime: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=console_app(web_runtime), client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        yield http


async def test_a_supplier_gets_a_person_and_then_the_bot_again(client: httpx.AsyncClient) -> None:
    supplier, ann, bob = WebSupplier(client), ConsoleAgent(client, "Ann"), ConsoleAgent(client, "Bob")
    await supplier.opens_the_page()

    [answer] = await supplier.says("Can I talk to a real person?")
    assert answer.startswith("escalated")
    assert (await supplier.later())["handoff"] == {"status": "pending", "agent": ""}

    [row] = await ann.queue()
    assert (row["status"], row["supplier_name"], row["conversation"]) == (
        "pending",
        "Sunrise Textiles",
        "web:guest-1",
    )
    esc = row["id"]

    claims = await asyncio.gather(ann.does("claim", esc), bob.does("claim", esc))
    assert sorted(r.status_code for r in claims) == [200, 409]  # exactly one agent wins
    winner, loser = (ann, bob) if claims[0].status_code == 200 else (bob, ann)
    assert (await loser.does("claim", esc)).json()["error"] == f"already claimed by {winner.name}"
    told = await supplier.later()
    assert told["handoff"] == {"status": "assigned", "agent": winner.name}
    assert [m["text"] for m in told["messages"]] == [
        f"{winner.name} from our team has taken over your conversation and will reply here."
    ]

    assert await supplier.says("It is about PO-1001") == []  # the bot stays silent

    assert (await winner.does("reply", esc, "PO-1001 left our warehouse today.")).status_code == 200
    assert (await loser.does("reply", esc, "I can take this")).status_code == 409
    assert (await loser.does("note", esc, "Ask DHL for the proof of delivery")).status_code == 200
    relayed = (await supplier.later())["messages"]
    assert [(m["kind"], m["text"]) for m in relayed] == [("relay", "PO-1001 left our warehouse today.")]

    transcript = await winner.reads(esc)
    assert [who for who, _ in transcript[:3]] == ["supplier", "event", "bot"]  # asked, escalated, told
    assert transcript[1][1].startswith("Escalated: asked for a person")
    assert ("supplier", "It is about PO-1001") in transcript
    assert ("event", f"Claimed by {winner.name}") in transcript
    assert transcript[-2:] == [
        ("agent", "PO-1001 left our warehouse today."),
        ("note", "Ask DHL for the proof of delivery"),
    ]

    assert (await winner.does("resolve", esc)).json()["escalation"]["status"] == "resolved"
    assert await ann.queue() == []
    resolved = await supplier.later()
    assert resolved["handoff"] is None
    survey = resolved["messages"][-1]
    assert [b["value"] for b in survey["buttons"]] == [f"csat:{esc}:{n}" for n in range(1, 6)]

    [thanks] = await supplier.says("5", button=f"csat:{esc}:5")
    assert thanks.startswith("Thank you for rating us 5/5")
    [bot] = await supplier.says("where is PO-1001?")
    assert "PO-1001" in bot and "DHL Express" in bot  # the bot answers again
    assert ("event", "The supplier rated the conversation 5/5") in await winner.reads(esc)


async def test_an_agent_can_hand_a_waiting_supplier_back_to_the_bot(client: httpx.AsyncClient) -> None:
    supplier, ann = WebSupplier(client, "guest-2"), ConsoleAgent(client, "Ann")
    await supplier.opens_the_page()
    await supplier.says("Can I talk to a real person?")
    [row] = await ann.queue()
    assert (await ann.does("return", row["id"])).status_code == 200
    assert "handed the conversation back" in (await supplier.later())["messages"][-1]["text"]
    [bot] = await supplier.says("where is PO-1001?")
    assert "PO-1001" in bot

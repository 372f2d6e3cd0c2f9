"""The web chat's later messages (GET /web/updates) and its demo supplier picker (GET /web/suppliers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from adapters.base import IngestResult
from adapters.web import (
    ChatUpdate,
    ChatUpdates,
    DemoSupplier,
    HandoffState,
    WebChatAdapter,
    WebSettings,
)
from dialogue.messages import Button, ConversationKey, IncomingMessage, OutgoingMessage, Platform, Relay

KEY = ConversationKey(Platform.WEB, "guest-1")


class Feed:
    """The conversation's outbox, in memory."""

    def __init__(self, *rows: ChatUpdate, handoff: HandoffState | None = None) -> None:
        self.rows = list(rows)
        self.handoff = handoff
        self.asked: list[tuple[ConversationKey, int | None]] = []

    async def updates(self, conversation: ConversationKey, after: int | None) -> ChatUpdates:
        self.asked.append((conversation, after))
        mine = [r for r in self.rows if r.message.conversation == conversation]
        if after is None:
            return ChatUpdates((), max((r.id for r in mine), default=0), self.handoff)
        later = tuple(r for r in mine if r.id > after)
        return ChatUpdates(later, later[-1].id if later else after, self.handoff)

    async def demo_suppliers(self) -> Sequence[DemoSupplier]:
        return [DemoSupplier("SUP-001", "Sunrise Textiles"), DemoSupplier("SUP-002", "Huaqiang Electronics")]


async def _ingest(message: IncomingMessage) -> IngestResult:
    return IngestResult(inbox_id=1, duplicate=False)


async def _no_replies(inbox_id: int, within: float) -> list[OutgoingMessage] | None:
    return []


def client_for(feed: Feed | None, *, host: str = "127.0.0.1", **settings: Any) -> TestClient:
    adapter = WebChatAdapter(
        settings=WebSettings(**settings), ingest=_ingest, wait_replies=_no_replies, feed=feed
    )
    routes = Starlette(routes=list(adapter.routes()))
    return TestClient(routes, base_url="http://localhost", client=(host, 50000))


def test_a_new_page_learns_where_now_is() -> None:
    feed = Feed(ChatUpdate(7, OutgoingMessage(KEY, "old news")), handoff=HandoffState("pending"))
    data = client_for(feed).get("/web/updates", params={"sender": "guest-1"}).json()
    assert data == {
        "enabled": True,
        "cursor": 7,
        "messages": [],
        "handoff": {"status": "pending", "agent": ""},
    }
    assert feed.asked == [(KEY, None)]


def test_an_agents_reply_and_the_rating_keyboard_arrive_later() -> None:
    relay = OutgoingMessage(
        KEY,
        "I am on it: **PO-1001** ships today.",
        kind="relay",
        format="markdown",
        relay=Relay(3, "web:ann"),
    )
    survey = OutgoingMessage(KEY, "How did we do?", kind="handoff", buttons=(Button("5", "csat:3:5"),))
    feed = Feed(
        ChatUpdate(7, OutgoingMessage(KEY, "escalated"), in_reply_to="m-1"),
        ChatUpdate(8, relay),
        ChatUpdate(9, OutgoingMessage(KEY, "", kind="relay", delete_of="x")),  # not shown on the page
        ChatUpdate(10, OutgoingMessage(KEY, "ships tomorrow", kind="relay", edit_of="x")),
        ChatUpdate(11, survey),
        handoff=HandoffState("assigned", "ann"),
    )
    data = client_for(feed).get("/web/updates", params={"sender": "guest-1", "after": "7"}).json()
    assert data["cursor"] == 11 and data["handoff"] == {"status": "assigned", "agent": "ann"}
    reply, edit, rating = data["messages"]
    assert (reply["id"], reply["kind"], reply["format"]) == (8, "relay", "markdown")
    assert reply["metadata"] == {}  # the agent's desk id stays on the server
    assert "web:ann" not in str(data)  # not in the typed relay either
    assert (edit["text"], edit["edited"]) == ("ships tomorrow", True)
    assert rating["buttons"] == [{"label": "5", "value": "csat:3:5"}]


def test_a_reply_to_the_pages_own_message_says_so() -> None:
    feed = Feed(ChatUpdate(7, OutgoingMessage(KEY, "escalated"), in_reply_to="m-1"))
    [message] = client_for(feed).get("/web/updates?sender=guest-1&after=0").json()["messages"]
    assert message["in_reply_to"] == "m-1"  # the page skips it when the answer came inline


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("", "'sender' must be"),
        ("sender=guest-1&after=-1", "'after' must be an outbox id"),
        ("sender=guest-1&after=soon", "'after' must be an outbox id"),
        ("sender=guest-1&after=" + "9" * 40, "'after' must be an outbox id"),
    ],
)
def test_bad_queries_get_a_400(query: str, error: str) -> None:
    response = client_for(Feed()).get("/web/updates?" + query)
    assert response.status_code == 400
    assert error in response.json()["error"]


def test_without_a_feed_the_page_stops_polling() -> None:
    data = client_for(None).get("/web/updates?sender=guest-1").json()
    assert data["enabled"] is False


def test_the_page_offers_the_demo_suppliers() -> None:
    data = client_for(Feed()).get("/web/suppliers").json()
    assert data["trusted"] is True
    assert data["suppliers"][0] == {"id": "SUP-001", "name": "Sunrise Textiles"}
    untrusted = client_for(Feed(), trust_supplier_id=False).get("/web/suppliers").json()
    assert untrusted == {"trusted": False, "suppliers": []}  # the chat ignores a supplier id: no picker


def test_remote_clients_get_neither_updates_nor_suppliers() -> None:
    remote = client_for(Feed(), host="203.0.113.9")
    assert remote.get("/web/updates?sender=guest-1").status_code == 403
    assert remote.get("/web/suppliers").status_code == 403
    assert remote.get("/web/static/chat.js").status_code == 403

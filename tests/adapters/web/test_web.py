"""The web chat: the page, the JSON endpoint, and replies (cards included) as the page reads them."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from adapters.base import IngestResult
from adapters.web import WebChatAdapter, WebSettings, parse_web_message, reply_json
from dialogue.messages import (
    Attachment,
    Button,
    Card,
    ChannelKind,
    ConversationKey,
    IncomingMessage,
    OutgoingMessage,
    Platform,
)

KEY = ConversationKey(Platform.WEB, "demo-user")


class Chat:
    """An ingest and wait_replies pair that answers every message with canned replies."""

    def __init__(self, *replies: OutgoingMessage) -> None:
        self.replies = list(replies)
        self.received: list[IncomingMessage] = []

    async def ingest(self, message: IncomingMessage) -> IngestResult:
        self.received.append(message)
        return IngestResult(inbox_id=len(self.received), duplicate=False)

    async def wait_replies(self, inbox_id: int, within: float) -> list[OutgoingMessage] | None:
        return self.replies


def client_for(chat: Chat, *, host: str = "testclient", secret: str = "", **settings: Any) -> TestClient:
    adapter = WebChatAdapter(
        settings=WebSettings(**settings),
        ingest=chat.ingest,
        wait_replies=chat.wait_replies,
        session_secret=secret,
    )
    routes = Starlette(routes=list(adapter.routes()))
    return TestClient(routes, base_url="http://localhost", client=(host, 50000))


def test_the_page_and_its_assets_are_served_from_the_package() -> None:
    client = client_for(Chat())
    response = client.get("/")
    assert response.status_code == 200
    assert "<title>opsbot web chat</title>" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]  # no inline script runs
    script = client.get("/web/static/chat.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "reply.card" in script.text  # the page renders cards
    assert "innerHTML" not in script.text  # text goes in as text
    assert client.get("/web/static/web.css").status_code == 200
    assert client.get("/web/static/config.yaml").status_code == 404


def test_a_question_gets_its_replies_back() -> None:
    chat = Chat(
        OutgoingMessage(KEY, "Your order PO-1001 has shipped.", buttons=(Button("Thanks", "thanks"),))
    )
    response = client_for(chat).post(
        "/web/messages", json={"sender": "demo-user", "text": "where is PO-1001?", "supplier_id": "SUP-001"}
    )
    assert response.status_code == 200
    [reply] = response.json()["replies"]
    assert reply["text"] == "Your order PO-1001 has shipped."
    assert reply["buttons"] == [{"label": "Thanks", "value": "thanks"}]
    assert reply["card"] is None
    [received] = chat.received
    assert received.supplier_id == "SUP-001" and received.channel_kind is ChannelKind.WEB


def test_a_card_reply_is_json() -> None:
    card = Card(
        title="Order PO-1001", fields=(("Status", "shipped"),), sections=("ETA Friday",), context=("demo",)
    )
    assert reply_json(OutgoingMessage(KEY, "Order PO-1001: shipped", card=card))["card"] == {
        "title": "Order PO-1001",
        "fields": [["Status", "shipped"]],
        "sections": ["ETA Friday"],
        "context": ["demo"],
    }


def test_untrusted_supplier_ids_are_dropped() -> None:
    message = parse_web_message(
        {"sender": "u", "text": "hi", "supplier_id": "SUP-9"}, trust_supplier_id=False
    )
    assert message.supplier_id is None
    with pytest.raises(ValueError, match="text"):
        parse_web_message({"sender": "u", "text": "  "}, trust_supplier_id=True)


def test_remote_clients_are_refused_unless_allowed() -> None:
    assert client_for(Chat()).get("/").status_code == 200  # the test client counts as local
    remote = client_for(Chat(), host="203.0.113.9")
    assert remote.get("/").status_code == 403
    assert remote.post("/web/messages", json={"sender": "u", "text": "hi"}).status_code == 403
    assert client_for(Chat(), host="203.0.113.9", allow_remote=True).get("/").status_code == 403  # no secret
    opened = client_for(Chat(), host="203.0.113.9", allow_remote=True, secret="k" * 32)
    assert opened.get("/").status_code == 200


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "body is not JSON"),
        (b'{"sender": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested deeper than 64 levels"),
        (b'{"sender": ["u"], "text": "hi"}', "'sender' must be"),
        (b'{"sender": "u", "text": 5}', "'text' must be"),
        (b'{"sender": "u", "text": "hi", "callback_data": {"x": 1}}', "'callback_data' must be"),
        (b'{"sender": "u", "text": "hi", "message_id": 7}', "'message_id' must be"),
        (b"[]", "body must be a JSON object"),
        (b"\xff\xfe", "body is not JSON"),
    ],
)
def test_bad_bodies_get_a_json_400(body: bytes, error: str) -> None:
    chat = Chat()
    response = client_for(chat).post(
        "/web/messages", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert chat.received == []


def test_nul_characters_and_lone_surrogates_never_reach_the_inbox() -> None:
    chat = Chat(OutgoingMessage(KEY, "ok"))
    body = b'{"sender": "demo-user", "text": "PO\\u0000-1001 \\ud800?"}'
    response = client_for(chat).post(
        "/web/messages", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert chat.received[0].text == "PO-1001 \ufffd?"


def test_reply_json_lists_files_by_name_and_keeps_the_format() -> None:
    files = (Attachment(kind="document", file_id="F1", file_name="label.pdf"), Attachment("photo", "F2"))
    reply = reply_json(OutgoingMessage(KEY, "**Label** attached", format="markdown", files=files))
    assert (reply["format"], reply["files"]) == ("markdown", ["label.pdf", "photo"])

"""The human handoff end to end: a supplier on Telegram, agents in Slack, the real SDKs against the fakes.

Telegram updates go to the real webhook, agents' clicks and thread replies are signed Slack requests to
`/slack/events`, and everything the bot says arrives at the fake Telegram Bot API and the fake Slack
Web API. It runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select

from adapters.slack import EVENTS_PATH
from adapters.telegram import SECRET_HEADER, WEBHOOK_PATH
from bot.storage.tables import OutboxRow, SupplierLinkRow
from dialogue.actions.registry import default_actions
from tests.conftest import MakeRuntime
from tests.fakes.slack_api import FakeSlackApi, slack_api_fixture, slack_api_server_fixture
from tests.fakes.slack_events import BOT_TOKEN, SIGNING_SECRET, event_body, sign
from tests.fakes.telegram_api import FakeTelegramAPI, serve_asgi, telegram_api, telegram_api_server
from tests.fakes.telegram_updates import photo_update, text_update

SENT_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a fixed instant: nothing here depends on the day

__all__ = ["slack_api_fixture", "slack_api_server_fixture", "telegram_api", "telegram_api_server"]

DESK = "CSUPPORT"
CHAT = 7001
TG_SECRET = "handoff-webhook-secret"


async def start(make_runtime: MakeRuntime, telegram: FakeTelegramAPI, slack: FakeSlackApi, **kw: Any) -> Any:
    slack.users.update(
        {
            "UANN": {"id": "UANN", "name": "ann", "profile": {"display_name": "Ann"}},
            "UBOB": {"id": "UBOB", "name": "bob", "profile": {"display_name": "Bob"}},
        }
    )
    return await make_runtime(
        overrides={
            "telegram": {
                "mode": "webhook",
                "api_base_url": telegram.base_url,
                "file_base_url": telegram.file_base_url,
                "bot_username": telegram.bot_username,
                "per_chat_interval_seconds": 0.0,
            },
            "slack": {
                "mode": "http",
                "api_base_url": slack.base_url,
                "support_channel": DESK,
                "agent_user_ids": ["UANN", "UBOB"],
                "per_channel_interval_seconds": 0,
            },
            "pipeline": {"poll_interval_seconds": 0.05, "send_backoff_base_seconds": 0.05},
            "web": {"enabled": False},
        },
        env={
            "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        },
        actions=default_actions(embedder=None),
        **kw,
    )


@asynccontextmanager
async def served(runtime: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serve_asgi(runtime.asgi) as base_url,
        httpx.AsyncClient(base_url=base_url, trust_env=False) as client,
    ):
        yield client


async def eventually(check: Any, within: float = 15.0) -> Any:
    """Wait until `check()` returns something truthy; return it."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {within}s: {check}")
        await asyncio.sleep(0.05)


class Supplier:
    def __init__(self, client: httpx.AsyncClient, telegram: FakeTelegramAPI) -> None:
        self.client, self.telegram = client, telegram
        self.update_id = 500_000

    async def post(self, update: dict[str, Any]) -> None:
        response = await self.client.post(
            WEBHOOK_PATH, content=json.dumps(update), headers={SECRET_HEADER: TG_SECRET}
        )
        assert response.status_code == 200, response.text

    async def says(self, text: str) -> None:
        self.update_id += 1
        await self.post(text_update(self.update_id, text, chat_id=CHAT))

    async def sends_photo(self, caption: str = "") -> None:
        self.update_id += 1
        self.telegram.add_file(f"large-{self.update_id}", b"\x89PNG photo of the damaged box", size=29)
        await self.post(photo_update(self.update_id, chat_id=CHAT, caption=caption))

    def received(self) -> list[str]:
        return [m.text for m in self.telegram.messages_to(CHAT)]


class Agent:
    """A support agent in Slack: clicks card buttons and writes in the card's thread."""

    ts = 1_700_000_100

    def __init__(self, client: httpx.AsyncClient, slack: FakeSlackApi, user: str) -> None:
        self.client, self.slack, self.user = client, slack, user

    async def _post(self, body: str, content_type: str) -> httpx.Response:
        headers = {"Content-Type": content_type, **sign(body)}
        return await self.client.post(EVENTS_PATH, content=body, headers=headers)

    async def clicks(self, value: str, card_ts: str) -> httpx.Response:
        payload = {
            "type": "block_actions",
            "user": {
                "id": self.user,
                "username": self.user.lower(),
                "name": self.user.lower(),
                "team_id": "T0001",
            },
            "api_app_id": "A0001",
            "token": "legacy",
            "container": {
                "type": "message",
                "message_ts": card_ts,
                "channel_id": DESK,
                "is_ephemeral": False,
            },
            "trigger_id": f"{self.user}.{value}",
            "team": {"id": "T0001", "domain": "fake"},
            "channel": {"id": DESK, "name": "support"},
            "message": {"type": "message", "ts": card_ts, "bot_id": "BBOT", "text": "card"},
            "actions": [
                {
                    "action_id": "opsbot_btn_0",
                    "block_id": "b1",
                    "value": value,
                    "type": "button",
                    "action_ts": f"{Agent.ts}.{len(self.user)}",
                }
            ],
        }
        Agent.ts += 1
        response = await self._post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )
        assert response.status_code == 200, response.text
        return response

    async def writes(self, text: str, card_ts: str) -> str:
        Agent.ts += 1
        ts = f"{Agent.ts}.000100"
        event = {
            "type": "message",
            "channel": DESK,
            "channel_type": "channel",
            "user": self.user,
            "text": text,
            "ts": ts,
            "thread_ts": card_ts,
            "event_ts": ts,
        }
        response = await self._post(event_body(event, event_id=f"Ev{ts}"), "application/json")
        assert response.status_code == 200, response.text
        return ts


def card_posts(slack: FakeSlackApi) -> list[Any]:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == DESK and not c.args.get("thread_ts")
    ]


def thread_posts(slack: FakeSlackApi, card_ts: str) -> list[str]:
    return [
        str(c.args.get("text"))
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == card_ts
    ]


def ephemerals(slack: FakeSlackApi, user: str) -> list[str]:
    return [
        str(c.args.get("text")) for c in slack.calls_to("chat.postEphemeral") if c.args.get("user") == user
    ]


async def link(runtime: Any) -> None:

    async with runtime.store.sessionmaker.begin() as s:
        s.add(
            SupplierLinkRow(platform="telegram", user_id=str(CHAT), supplier_id="SUP-001", linked_at=SENT_AT)
        )


async def test_a_supplier_is_handed_to_an_agent_and_back(
    make_runtime: MakeRuntime, telegram_api: FakeTelegramAPI, slack_api: FakeSlackApi, db_kind: str
) -> None:
    runtime = await start(make_runtime, telegram_api, slack_api)
    await link(runtime)
    async with served(runtime) as client:
        supplier, ann, bob = (
            Supplier(client, telegram_api),
            Agent(client, slack_api, "UANN"),
            Agent(client, slack_api, "UBOB"),
        )

        # The supplier asks for a person: told so, and a card appears on the desk.
        await supplier.says("I want to talk to a real person about PO-1001")
        [told] = await eventually(lambda: supplier.received())
        assert told.startswith("escalated")
        [card] = await eventually(lambda: card_posts(slack_api))
        card_ts = await eventually(lambda: _card_ts(slack_api))
        blocks = json.dumps(card.args["blocks"])
        assert "Sunrise Textiles (SUP-001)" in blocks and "PO-1001" in blocks and "Claim" in blocks

        # Two agents click Claim at once: exactly one wins, the other is told who did.
        await asyncio.gather(ann.clicks("handoff:claim:1", card_ts), bob.clicks("handoff:claim:1", card_ts))
        await eventually(lambda: any("has taken over" in t for t in supplier.received()))
        holder = next(t for t in supplier.received() if "has taken over" in t).split(" from our team")[0]
        loser = "UBOB" if holder == "Ann" else "UANN"
        winner = ann if holder == "Ann" else bob
        other = bob if winner is ann else ann
        [refusal] = await eventually(lambda: ephemerals(slack_api, loser))
        assert refusal == f"Not done: already claimed by {holder}."
        assert await eventually(
            lambda: [c for c in slack_api.calls_to("chat.update") if holder in json.dumps(c.args)]
        )

        # The supplier writes and sends a photo: both appear in the card's thread, in order.
        await supplier.says("the box arrived crushed")
        await supplier.sends_photo(caption="see the box")
        mirrored = await eventually(
            lambda: len(thread_posts(slack_api, card_ts)) >= 1 and thread_posts(slack_api, card_ts)
        )
        assert "the box arrived crushed" in mirrored[0]
        upload = await eventually(
            lambda: [u for u in slack_api.uploads if u.thread_ts == card_ts and u.completed]
        )
        assert (
            upload[0].data == b"\x89PNG photo of the damaged box"
            and "see the box" in upload[0].initial_comment
        )

        # The assignee's reply reaches the supplier, and a check mark lands on it in Slack.
        sent = len(supplier.received())
        reply_ts = await winner.writes(
            "*Sorry* about that, we will replace the box. See <https://ex.ample/rma|the RMA form>.", card_ts
        )
        relayed = await eventually(lambda: supplier.received()[sent:])
        assert relayed == ["Sorry about that, we will replace the box. See the RMA form."]
        html = telegram_api.messages_to(CHAT)[-1].html
        assert "<b>Sorry</b>" in html and 'href="https://ex.ample/rma"' in html
        await eventually(
            lambda: [c for c in slack_api.calls_to("reactions.add") if c.args.get("timestamp") == reply_ts]
        )

        # A note, and anything the other agent writes, stay internal; the other agent is told why.
        await winner.writes("note: customer called twice already", card_ts)
        await other.writes("I can take it if you want", card_ts)
        hint = await eventually(
            lambda: [t for t in ephemerals(slack_api, other.user) if "Only the assignee" in t]
        )
        assert holder in hint[0]
        await asyncio.sleep(0.5)
        assert len(supplier.received()) == sent + 1

        # The agent resolves: the supplier is told, and the bot answers the next question.
        await winner.clicks("handoff:resolve:1", card_ts)
        await eventually(lambda: any("has closed this conversation" in t for t in supplier.received()))
        await supplier.says("where is PO-1001?")
        answer = await eventually(lambda: [t for t in supplier.received() if t.startswith("order_shipped")])
        assert "PO-1001" in answer[0]

    async with runtime.store.sessionmaker() as s:
        unsent = (
            await s.execute(select(func.count()).select_from(OutboxRow).where(OutboxRow.status != "sent"))
        ).scalar()
    assert unsent == 0


def _card_ts(slack: FakeSlackApi) -> str:
    """The ts Slack gave the card (the first top-level message the bot posted on the desk)."""
    posted = [m for m in slack.messages.get(DESK, []) if not m.get("thread_ts")]
    return str(posted[0]["ts"]) if posted else ""


async def test_a_restart_mid_conversation_loses_and_doubles_nothing(
    make_runtime: MakeRuntime, telegram_api: FakeTelegramAPI, slack_api: FakeSlackApi
) -> None:
    from bot.application import Role

    first = await start(make_runtime, telegram_api, slack_api)
    await link(first)
    async with served(first) as client:
        supplier, ann = Supplier(client, telegram_api), Agent(client, slack_api, "UANN")
        await supplier.says("talk to a human please")
        card_ts = await eventually(lambda: _card_ts(slack_api))
        await ann.clicks("handoff:claim:1", card_ts)
        await eventually(lambda: any("has taken over" in t for t in supplier.received()))
    await first.stop()

    # Only the webhooks are up (the workers are down, as if killed): messages are stored, not lost.
    second = await start(make_runtime, telegram_api, slack_api, start=False)
    await second.start(Role.WEB)
    async with served(second) as client:
        supplier.client, ann.client = client, client
        for n in range(3):
            await supplier.says(f"update {n}: still waiting for the courier")
        await ann.writes("The courier comes tomorrow morning.", card_ts)
    await second.stop()
    assert not any("courier comes" in t for t in supplier.received())

    third = await start(make_runtime, telegram_api, slack_api)
    await eventually(lambda: len([t for t in thread_posts(slack_api, card_ts) if "still waiting" in t]) == 3)
    await eventually(lambda: any("courier comes tomorrow" in t for t in supplier.received()))
    await asyncio.sleep(1.0)  # several sender rounds later: still exactly once each
    mirrored = [t for t in thread_posts(slack_api, card_ts) if "still waiting" in t]
    assert [t.split("update ")[1][0] for t in mirrored] == ["0", "1", "2"]  # in order, once each
    assert sum("courier comes tomorrow" in t for t in supplier.received()) == 1
    await third.stop()

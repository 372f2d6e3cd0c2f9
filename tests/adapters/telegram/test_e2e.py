"""End to end: Telegram webhook -> inbox -> dialogue -> outbox -> fake Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from adapters.telegram import SECRET_HEADER, WEBHOOK_PATH
from bot.application import Role
from bot.storage.tables import OutboxRow
from dialogue.actions.registry import default_actions
from tests.conftest import MakeRuntime
from tests.fakes.telegram_api import FakeTelegramAPI, callback_update, serve_asgi, text_update

SECRET = "e2e-webhook-secret"
CHAT = 7001


async def start_runtime(make_runtime: MakeRuntime, api: FakeTelegramAPI, **kwargs: Any) -> Any:
    overrides = {
        "telegram": {
            "mode": "webhook",
            "api_base_url": api.base_url,
            "file_base_url": api.file_base_url,
            "bot_username": api.bot_username,
            "per_chat_interval_seconds": 0.0,
            "global_rate_per_second": 1000.0,
        },
        "pipeline": {"poll_interval_seconds": 0.05, "send_backoff_base_seconds": 0.05},
        "web": {"enabled": False},
    }
    env = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_WEBHOOK_SECRET": SECRET}
    return await make_runtime(
        overrides=overrides,
        env=env,
        actions=default_actions(embedder=None),
        **kwargs,
    )


class Supplier:
    """A supplier's Telegram client: posts real updates to the webhook, reads the bot's replies."""

    def __init__(self, client: httpx.AsyncClient, api: FakeTelegramAPI, chat_id: int = CHAT) -> None:
        self.client, self.api, self.chat_id = client, api, chat_id
        self.next_update = 1000 + chat_id * 100

    async def post(self, update: dict[str, Any]) -> None:
        response = await self.client.post(
            WEBHOOK_PATH, content=json.dumps(update), headers={SECRET_HEADER: SECRET}
        )
        assert response.status_code == 200, response.text

    async def say(self, text: str) -> dict[str, Any]:
        self.next_update += 1
        update = text_update(self.next_update, text, chat_id=self.chat_id)
        await self.post(update)
        return update

    async def link(self, runtime: Any, supplier_id: str) -> str:
        """Open an invitation to `supplier_id` (as its `t.me` link would); the bot's answer."""
        code, _ = await runtime.accounts.invite(supplier_id, timedelta(hours=1))
        await self.say(f"/start {code}")
        return (await self.expect(len(self.replies()) + 1))[-1]

    async def press(self, data: str, message_id: int) -> None:
        self.next_update += 1
        update = callback_update(self.next_update, data, chat_id=self.chat_id, message_id=message_id)
        await self.post(update)

    def replies(self) -> list[str]:
        return [m.text for m in self.api.messages_to(self.chat_id)]

    async def expect(self, count: int, within: float = 20.0) -> list[str]:
        await self.api.until(lambda: len(self.replies()) >= count, within=within)
        return self.replies()


@asynccontextmanager
async def webhook_client(runtime: Any) -> AsyncIterator[httpx.AsyncClient]:
    assert runtime.asgi is not None
    async with (
        serve_asgi(runtime.asgi) as base_url,
        httpx.AsyncClient(base_url=base_url, trust_env=False) as client,
    ):
        yield client


async def test_supplier_links_asks_order_and_updates_stock(
    make_runtime: MakeRuntime, telegram_api: FakeTelegramAPI
) -> None:
    runtime = await start_runtime(make_runtime, telegram_api)
    async with webhook_client(runtime) as client:
        supplier = Supplier(client, telegram_api)
        linked = await supplier.link(runtime, "SUP-001")
        assert linked.startswith("link_success") and "Sunrise Textiles" in linked

        await supplier.say("where is PO-1001?")
        order_reply = (await supplier.expect(2))[1]
        assert "PO-1001" in order_reply and order_reply.startswith("order_")

        await supplier.say("set AB-1020 stock to 40 units")
        confirm = (await supplier.expect(3))[2]
        assert confirm.startswith("stock_confirm_update") and "qty=40" in confirm
        prompt = telegram_api.messages_to(CHAT)[2]
        assert prompt.reply_markup is not None
        values = [b["callback_data"] for row in prompt.reply_markup["inline_keyboard"] for b in row]
        assert values == ["confirm:yes", "confirm:no"]

        await supplier.press("confirm:yes", prompt.message_id)
        updated = (await supplier.expect(4))[3]
        assert updated.startswith("stock_updated") and "qty=40" in updated
        await telegram_api.until(lambda: len(telegram_api.answered_callbacks) == 1)
    item = await runtime.backend.get_stock("SUP-001", "AB-1020")
    assert item is not None and item.quantity == 40
    assert all(m.parse_mode == "HTML" for m in telegram_api.messages_to(CHAT))


async def test_429_storm_delivers_every_reply_exactly_once(
    make_runtime: MakeRuntime, telegram_api: FakeTelegramAPI
) -> None:
    runtime = await start_runtime(make_runtime, telegram_api)
    telegram_api.fail_next("sendMessage", 429, times=6, retry_after=1)
    async with webhook_client(runtime) as client:
        supplier = Supplier(client, telegram_api)
        for _ in range(4):
            await supplier.say("hello")
        replies = await supplier.expect(4, within=30)
    assert len(replies) == 4
    statuses = [c.status for c in telegram_api.calls("sendMessage")]
    assert statuses.count(429) == 6 and statuses.count(200) == 4
    async with runtime.store.sessionmaker() as s:
        rows = (await s.execute(select(OutboxRow))).scalars().all()
    assert len(rows) == 4
    assert {row.status for row in rows} == {"sent"}
    assert len({row.platform_message_id for row in rows}) == 4


async def test_blocked_supplier_is_recorded_without_retry_loop(
    make_runtime: MakeRuntime, telegram_api: FakeTelegramAPI
) -> None:
    runtime = await start_runtime(make_runtime, telegram_api)
    telegram_api.block_chat(CHAT)
    async with webhook_client(runtime) as client:
        supplier = Supplier(client, telegram_api)
        await supplier.say("hello")
        await telegram_api.until(lambda: len(telegram_api.calls("sendMessage")) >= 1)

        async def failed_rows() -> list[OutboxRow]:
            async with runtime.store.sessionmaker() as s:
                rows = (await s.execute(select(OutboxRow))).scalars().all()
            return [row for row in rows if row.status == "failed"]

        for _ in range(100):
            if await failed_rows():
                break
            await _sleep(0.05)
        rows = await failed_rows()
        assert len(rows) == 1
        assert "forbidden" in (rows[0].error or "")
        await _sleep(0.5)  # several sender polls later: still exactly one attempt
    assert len(telegram_api.calls("sendMessage")) == 1
    assert telegram_api.messages_to(CHAT) == []


async def test_restart_mid_conversation(make_runtime: MakeRuntime, telegram_api: FakeTelegramAPI) -> None:
    first = await start_runtime(make_runtime, telegram_api)
    code, _ = await first.accounts.invite("SUP-001", timedelta(hours=1))
    async with webhook_client(first) as client:
        supplier = Supplier(client, telegram_api)
        await supplier.say(f"/start {code}")
        await supplier.say("set AB-1020 stock to 55 units")
        replies = await supplier.expect(2)
        assert replies[1].startswith("stock_confirm_update")
        prompt_id = telegram_api.messages_to(CHAT)[1].message_id
    await first.stop()

    # The button press arrives while only the webhook is up (no workers): stored, not yet answered.
    second = await start_runtime(make_runtime, telegram_api, start=False)
    await second.start(Role.WEB)
    async with webhook_client(second) as client:
        supplier.client = client
        await supplier.press("confirm:yes", prompt_id)
        await supplier.press("confirm:yes", prompt_id)  # double tap: a second update
    await second.stop()
    assert len(supplier.replies()) == 2

    third = await start_runtime(make_runtime, telegram_api)
    replies = await supplier.expect(3)
    assert replies[2].startswith("stock_updated") and "qty=55" in replies[2]
    await _sleep(0.5)
    assert sum(r.startswith("stock_updated") for r in supplier.replies()) == 1
    item = await third.backend.get_stock("SUP-001", "AB-1020")
    assert item is not None and item.quantity == 55


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)

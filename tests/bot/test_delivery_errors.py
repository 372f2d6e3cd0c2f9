"""Typed delivery errors in the outbox: the desk's words come from the kind, and a group that migrated
gets its reply at the new chat id, once, with the outbox's retries intact."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.delivery import explain
from bot.storage.tables import OutboxRow
from dialogue.errors import DeliveryFailure, PermanentDeliveryError, TransientDeliveryError
from tests.adapters.telegram.test_e2e import CHAT, Supplier, start_runtime, webhook_client
from tests.conftest import MakeRuntime
from tests.fakes.telegram_api import FakeTelegramAPI, telegram_api, telegram_api_server

__all__ = ["telegram_api", "telegram_api_server"]  # fixtures of the fake Bot API

SUPERGROUP = -1009876543210


async def outbox_rows(runtime: object) -> list[OutboxRow]:
    async with runtime.store.sessionmaker() as s:  # type: ignore[attr-defined]
        return list((await s.execute(select(OutboxRow))).scalars().all())


def test_explain_reads_the_kind_not_the_words() -> None:
    blocked = PermanentDeliveryError("forbidden: bot was kicked", kind=DeliveryFailure.BLOCKED)
    flood = TransientDeliveryError(
        "rate limited: slow down", retry_after=3, kind=DeliveryFailure.RATE_LIMITED
    )
    gone = PermanentDeliveryError("slack: is_archived", kind=DeliveryFailure.CHAT_GONE)
    assert explain(blocked) == "the supplier blocked the bot"
    assert explain(flood) == "Telegram's flood limit"
    assert explain(gone) == "the supplier's chat no longer exists"
    untyped = PermanentDeliveryError("bad request: the user is blocked in some other way")
    assert explain(untyped) == "bad request: the user is blocked in some other way"  # no guessing from words
    large = PermanentDeliveryError(
        "file too large (62 MB, limit 50 MB): a.zip", kind=DeliveryFailure.TOO_LARGE
    )
    assert explain(large) == large.reason


async def test_a_migrated_group_gets_its_reply_at_the_new_chat_once(
    make_runtime: MakeRuntime, telegram_api: FakeTelegramAPI
) -> None:
    runtime = await start_runtime(make_runtime, telegram_api)
    telegram_api.migrate_chat(CHAT, SUPERGROUP)
    async with webhook_client(runtime) as client:
        await Supplier(client, telegram_api).say("hello")
        await telegram_api.until(lambda: len(telegram_api.messages_to(SUPERGROUP)) == 1)
        await asyncio.sleep(0.5)  # several sender polls later: nothing more
    [moved] = telegram_api.messages_to(SUPERGROUP)
    assert moved.text.startswith("greeting")
    assert telegram_api.messages_to(CHAT) == []
    assert [str(c.params["chat_id"]) for c in telegram_api.calls("sendMessage")] == [
        str(CHAT),
        str(SUPERGROUP),
    ]
    [row] = await outbox_rows(runtime)
    assert (row.status, row.platform_message_id) == ("sent", str(moved.message_id))


async def test_a_failed_send_to_the_new_chat_is_retried_by_the_outbox(
    make_runtime: MakeRuntime, telegram_api: FakeTelegramAPI
) -> None:
    runtime = await start_runtime(make_runtime, telegram_api)
    telegram_api.migrate_chat(CHAT, SUPERGROUP)
    telegram_api.fail_next("sendMessage", 429, retry_after=1)  # the first send to the new chat
    async with webhook_client(runtime) as client:
        await Supplier(client, telegram_api).say("hello")
        await telegram_api.until(lambda: len(telegram_api.messages_to(SUPERGROUP)) == 1, within=20)
        await asyncio.sleep(0.5)
    assert len(telegram_api.messages_to(SUPERGROUP)) == 1
    statuses = [(str(c.params["chat_id"]), c.status) for c in telegram_api.calls("sendMessage")]
    assert statuses == [(str(CHAT), 400), (str(SUPERGROUP), 429), (str(CHAT), 400), (str(SUPERGROUP), 200)]
    [row] = await outbox_rows(runtime)
    assert (row.status, row.attempts) == ("sent", 2)  # one retry, one delivery

"""Long polling (getUpdates) against the fake Bot API: order, offsets, errors, restarts."""

from __future__ import annotations

import asyncio

import pytest

from adapters.telegram import ALLOWED_UPDATES, TelegramAdapter, TelegramSetupError
from dialogue.messages import IncomingMessage
from tests.adapters.telegram.support import MemoryInbox, PendingEdits, build_adapter, make_settings
from tests.fakes.telegram_api import FakeTelegramAPI, callback_update, photo_update, text_update


async def test_polling_delivers_updates_and_confirms_offset(telegram_api: FakeTelegramAPI) -> None:
    telegram_api.webhook = {"url": "https://old.example.com/telegram/webhook"}
    for update in (text_update(100, "hello"), photo_update(101), callback_update(102, "confirm:yes")):
        telegram_api.push_update(update)
    inbox = MemoryInbox()
    adapter = build_adapter(telegram_api, inbox, PendingEdits(), mode="polling")
    assert adapter.routes() == []
    await adapter.start()
    try:
        await telegram_api.until(lambda: len(inbox.stored) == 3)
        await telegram_api.until(lambda: telegram_api.answered_callbacks == ["cbq-102"])
    finally:
        await adapter.stop()
        await adapter.close()
    assert inbox.stored["101"].attachments[0].kind == "photo"
    assert inbox.stored["102"].callback_data == "confirm:yes"
    delete = telegram_api.ok_calls("deleteWebhook")
    assert delete and delete[0].params.get("drop_pending_updates") is not True
    polls = telegram_api.ok_calls("getUpdates")
    assert polls[0].params["allowed_updates"] == list(ALLOWED_UPDATES)
    assert "offset" not in polls[0].params  # nothing skipped on start
    assert telegram_api.pending_updates == []  # stop() confirmed what was stored


async def test_polling_survives_api_errors(telegram_api: FakeTelegramAPI) -> None:
    telegram_api.fail_next("getUpdates", 500, times=2)
    telegram_api.fail_next("getUpdates", 429, retry_after=0)
    telegram_api.push_update(text_update(110, "stock of SKU-1?"))
    inbox = MemoryInbox()
    adapter = build_adapter(telegram_api, inbox, PendingEdits(), mode="polling")
    await adapter.start()
    try:
        await telegram_api.until(lambda: "110" in inbox.stored)
    finally:
        await adapter.stop()
        await adapter.close()
    assert [c.status for c in telegram_api.calls("getUpdates")][:3] == [500, 500, 429]


async def test_polling_retries_an_update_the_inbox_could_not_store(telegram_api: FakeTelegramAPI) -> None:
    telegram_api.push_update(text_update(120, "first"))
    telegram_api.push_update(text_update(121, "second"))
    inbox = MemoryInbox(fail_times=2)
    adapter = build_adapter(telegram_api, inbox, PendingEdits(), mode="polling")
    await adapter.start()
    try:
        await telegram_api.until(lambda: len(inbox.stored) == 2)
    finally:
        await adapter.stop()
        await adapter.close()
    assert inbox.calls == ["120", "120", "120", "121"]  # never skipped, never reordered
    assert list(inbox.stored) == ["120", "121"]


async def test_restart_mid_stream_loses_nothing_and_stores_once(telegram_api: FakeTelegramAPI) -> None:
    for update_id in range(200, 206):
        telegram_api.push_update(text_update(update_id, f"message {update_id}"))
    inbox = MemoryInbox()
    reached = asyncio.Event()
    release = asyncio.Event()

    async def slow_after_third(message: IncomingMessage) -> None:
        if message.external_id == "202":
            reached.set()
            await release.wait()  # stored, but the process dies before the ack

    inbox.hook = slow_after_third
    first = build_adapter(telegram_api, inbox, PendingEdits(), mode="polling")
    await first.start()
    await asyncio.wait_for(reached.wait(), 10)
    await first.stop()  # drain timeout passes, the stuck update is abandoned
    await first.close()
    assert set(inbox.stored) == {"200", "201", "202"}

    inbox.hook = None
    for update_id in range(206, 210):
        telegram_api.push_update(text_update(update_id, f"message {update_id}"))
    second = build_adapter(telegram_api, inbox, PendingEdits(), mode="polling")
    await second.start()
    try:
        await telegram_api.until(lambda: len(inbox.stored) == 10)
    finally:
        await second.stop()
        await second.close()
    assert sorted(inbox.stored) == [str(i) for i in range(200, 210)]
    assert inbox.calls.count("202") == 2  # redelivered after the restart, deduplicated by the inbox
    assert all(inbox.calls.count(str(i)) == 1 for i in range(203, 210))
    assert telegram_api.pending_updates == []


async def test_start_and_stop_are_idempotent(telegram_api: FakeTelegramAPI) -> None:
    adapter = build_adapter(telegram_api, MemoryInbox(), PendingEdits(), mode="polling")
    await adapter.start()
    await adapter.start()
    await adapter.stop()
    await adapter.close()
    await adapter.stop()
    await adapter.close()
    assert len(telegram_api.calls("getMe")) == 1


async def test_rejected_token_fails_start_without_leaking_it(telegram_api: FakeTelegramAPI) -> None:
    inbox = MemoryInbox()
    adapter = TelegramAdapter(
        settings=make_settings(telegram_api),
        token="999:wrong",
        webhook_secret="s",
        ingest=inbox,
        apply_edit=PendingEdits(),
        mode="polling",
    )
    with pytest.raises(TelegramSetupError) as caught:
        await adapter.start()
    assert "wrong" not in str(caught.value)
    await adapter.stop()
    await adapter.close()

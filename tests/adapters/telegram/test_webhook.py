"""The webhook route over real HTTP: the secret token, storing before the 200, dedupe, bad bodies
(acknowledged, never redelivered forever, counted through the reject hook)."""

from __future__ import annotations

import asyncio

import pytest

from adapters.base import IngestResult
from adapters.telegram import TelegramAdapter, TelegramSetupError
from adapters.telegram.settings import TelegramSettings
from dialogue.messages import ChannelKind, IncomingMessage, Platform
from tests.adapters.telegram.support import CHAT, SECRET, Harness, key
from tests.fakes.telegram_api import callback_update, text_update


async def test_start_calls_get_me(harness: Harness) -> None:
    assert harness.api.ok_calls("getMe")
    assert harness.adapter.bot.username == harness.api.bot_username


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
async def test_forged_or_missing_secret_is_403_and_stores_nothing(
    harness: Harness, secret: str | None
) -> None:
    response = await harness.post(text_update(1, "hello"), secret=secret)
    assert response.status_code == 403
    assert harness.inbox.calls == []
    assert harness.api.calls("answerCallbackQuery") == []


async def test_forged_callback_is_not_answered(harness: Harness) -> None:
    response = await harness.post(callback_update(2, "confirm:yes"), secret="nope")
    assert response.status_code == 403
    await asyncio.sleep(0.05)
    assert harness.api.calls("answerCallbackQuery") == []


async def test_text_message_is_stored_before_200(harness: Harness) -> None:
    response = await harness.post(text_update(10, "where is PO-1001?", message_id=77))
    assert response.status_code == 200
    message = harness.inbox.stored["10"]
    assert message.platform is Platform.TELEGRAM
    assert message.conversation == key()
    assert message.sender.id == str(CHAT)
    assert message.sender.display_name == "Li Wei"
    assert message.text == "where is PO-1001?"
    assert message.message_id == "77"
    assert message.channel_kind is ChannelKind.PRIVATE
    assert message.timestamp.tzinfo is not None and message.timestamp.year == 2026
    assert message.raw["update_id"] == 10
    assert not message.command and not message.edited


async def test_replayed_update_is_stored_once(harness: Harness) -> None:
    update = text_update(11, "stock SKU-1 is 40")
    first = await harness.post(update)
    second = await harness.post(update)
    assert first.status_code == second.status_code == 200
    assert harness.inbox.calls == ["11", "11"]
    assert list(harness.inbox.stored) == ["11"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[1, 2]",
        b'"text"',
        b'{"message": {"text": "no update id"}}',
        b'{"update_id": "12"}',
        b'{"update_id": 12, "message": {"text": "no chat"}}',
        b"\xff\xfe",
    ],
)
async def test_unparseable_body_is_acknowledged_and_rejected(
    harness: Harness, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    response = await harness.post(None, raw=body)
    assert response.status_code == 200  # a 400 would make Telegram redeliver it forever
    assert harness.inbox.calls == []
    [rejected] = harness.rejected.updates
    assert (rejected.platform, rejected.reason) == ("telegram", "unparseable")
    assert rejected.body == body.decode("utf-8", "replace")
    assert "unparseable update acknowledged" in caplog.text
    assert "Traceback" not in caplog.text


async def test_storage_failure_is_not_acknowledged(harness: Harness) -> None:
    harness.inbox.fail_times = 1
    response = await harness.post(callback_update(13, "confirm:yes"))
    assert response.status_code == 503  # Telegram redelivers
    await asyncio.sleep(0.05)
    assert harness.api.calls("answerCallbackQuery") == []
    retry = await harness.post(callback_update(13, "confirm:yes"))
    assert retry.status_code == 200
    assert "13" in harness.inbox.stored


async def test_unsupported_update_type_is_acknowledged(harness: Harness) -> None:
    channel = {"id": -1001, "type": "channel", "title": "news"}
    update = {
        "update_id": 14,
        "channel_post": {"message_id": 1, "date": 1_790_000_000, "chat": channel, "text": "hi"},
    }
    response = await harness.post(update)
    assert response.status_code == 200
    assert harness.inbox.calls == []
    [rejected] = harness.rejected.updates
    assert (rejected.reason, rejected.detail) == ("unsupported", "update 14: channel_post")


def test_webhook_mode_requires_a_secret() -> None:
    async def ingest(message: IncomingMessage) -> IngestResult:
        return IngestResult(1, False)

    async def apply_edit(message_id: str, conversation: str, text: str) -> bool:
        return False

    with pytest.raises(TelegramSetupError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramAdapter(
            settings=TelegramSettings(),
            token="1:x",
            webhook_secret="",
            ingest=ingest,
            apply_edit=apply_edit,
            mode="webhook",
        )
    with pytest.raises(TelegramSetupError, match="mode"):
        TelegramAdapter(
            settings=TelegramSettings(),
            token="1:x",
            webhook_secret="s",
            ingest=ingest,
            apply_edit=apply_edit,
            mode="auto",
        )

"""Bot API errors reach the outbox typed: a kind, retry_after, and a migrated group's new chat id."""

from __future__ import annotations

import pytest

from adapters.base import FileContent
from dialogue.errors import DeliveryError, DeliveryFailure
from tests.adapters.telegram.support import CHAT, Harness, reply


async def failure(harness: Harness, *files: FileContent) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        await harness.adapter.send(reply("hello"), files)
    return caught.value


async def test_flood_control_is_rate_limited_with_its_wait(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 429, retry_after=9)
    error = await failure(harness)
    assert (error.kind, error.retry_after, error.permanent) == (DeliveryFailure.RATE_LIMITED, 9, False)


async def test_a_supplier_who_blocked_the_bot_is_blocked_for_good(harness: Harness) -> None:
    harness.api.block_chat(CHAT)
    error = await failure(harness)
    assert (error.kind, error.permanent) == (DeliveryFailure.BLOCKED, True)


async def test_a_chat_that_is_gone_says_so(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    error = await failure(harness)
    assert (error.kind, error.permanent) == (DeliveryFailure.CHAT_GONE, True)


async def test_a_migrated_group_names_its_new_chat(harness: Harness) -> None:
    harness.api.migrate_chat(CHAT, -1001234567890)
    error = await failure(harness)
    assert (error.kind, error.new_chat_id, error.permanent) == (
        DeliveryFailure.MIGRATED,
        "-1001234567890",
        True,
    )
    assert harness.api.messages_to(CHAT) == []


async def test_a_server_error_is_a_network_error_worth_retrying(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 502)
    error = await failure(harness)
    assert (error.kind, error.permanent, error.retry_after) == (DeliveryFailure.NETWORK, False, None)


async def test_a_file_over_the_upload_limit_is_too_large(harness: Harness) -> None:
    big = FileContent(name="backup.zip", mime_type="application/zip", data=b"\0" * (50 * 1024 * 1024 + 1))
    error = await failure(harness, big)
    assert (error.kind, error.permanent) == (DeliveryFailure.TOO_LARGE, True)
    assert harness.api.calls("sendMessage") == []


async def test_any_other_bad_request_is_permanent(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 400, description="Bad Request: message text is empty")
    error = await failure(harness)
    assert (error.kind, error.permanent) == (DeliveryFailure.OTHER, True)

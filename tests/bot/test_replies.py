"""Waiting for a message's replies: the web chat's answer comes with the news of its turn, without
reading the outbox back, unless the turn was finished where its replies are not known."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from bot.notify import DoneBoard
from tests.conftest import MakeRuntime
from tests.fakes.pipeline import drain, msg


def count_reads(runtime: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every read the waiter could make of the inbox status and the outbox."""
    reads: list[str] = []
    inbox, outbox = runtime.store.inbox, runtime.store.outbox
    status, replies_for = inbox.status, outbox.replies_for

    async def counted_status(inbox_id: int) -> str | None:
        reads.append("status")
        return await status(inbox_id)

    async def counted_replies_for(inbox_id: int) -> Any:
        reads.append("replies_for")
        return await replies_for(inbox_id)

    monkeypatch.setattr(inbox, "status", counted_status)
    monkeypatch.setattr(outbox, "replies_for", counted_replies_for)
    return reads


async def test_the_web_chat_answer_comes_with_the_news_of_its_turn(
    make_runtime: MakeRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = await make_runtime()
    reads = count_reads(runtime, monkeypatch)
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        r = await client.post("/web/messages", json={"sender": "ann", "text": "hello"})
    assert r.status_code == 200, r.text
    assert [x["text"] for x in r.json()["replies"]] == ["greeting: user_name=ann"]
    assert reads == []


async def test_a_turn_done_before_its_waiter_came_is_answered_at_once(
    make_runtime: MakeRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = await make_runtime(start=False)
    reads = count_reads(runtime, monkeypatch)
    stored = await runtime.store.inbox.enqueue(msg("bob", "hello", "m1"))
    assert stored.inbox_id is not None
    await drain(runtime)  # the turn is committed before anybody waits for it
    replies = await asyncio.wait_for(runtime.wait_replies(stored.inbox_id, 5.0), 0.5)
    assert [r.text for r in replies or []] == ["greeting"]
    assert reads == []


async def test_a_turn_finished_elsewhere_is_read_back_from_the_outbox(
    make_runtime: MakeRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = await make_runtime(start=False)
    stored = await runtime.store.inbox.enqueue(msg("cy", "hello", "m1"))
    assert stored.inbox_id is not None
    elsewhere = DoneBoard()  # another process's workers: their news carries ids only
    for worker in runtime.workers:
        monkeypatch.setattr(worker, "_done", elsewhere)
    await drain(runtime)
    reads = count_reads(runtime, monkeypatch)
    waiting = asyncio.create_task(runtime.wait_replies(stored.inbox_id, 5.0))
    await asyncio.sleep(0.05)
    runtime.notifiers.done.notify([stored.inbox_id])  # as PostgreSQL's NOTIFY hands it on
    replies = await asyncio.wait_for(waiting, 0.5)
    assert [r.text for r in replies or []] == ["greeting"]
    assert reads == ["status", "replies_for"]


async def test_a_waiter_gives_up_at_its_timeout(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(start=False)
    stored = await runtime.store.inbox.enqueue(msg("dee", "hello", "m1"))
    assert stored.inbox_id is not None
    assert await runtime.wait_replies(stored.inbox_id, 0.2) is None


async def test_the_board_forgets_the_oldest_news_beyond_its_memory() -> None:
    board = DoneBoard(remember=2)
    board.notify([1, 2, 3], replies={1: (), 2: (), 3: ()})
    assert await board.wait(1, 0.0) is None
    assert await board.wait(3, 0.0) is not None

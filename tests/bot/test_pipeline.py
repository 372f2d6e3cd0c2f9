"""The durable pipeline on SQLite and PostgreSQL: dedupe, ordering, crash recovery, retries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from bot.storage.tables import InboxRow, OutboxRow, TurnEventRow
from dialogue.actions.base import ActionTable
from dialogue.actions.basic import basic_actions
from dialogue.messages import ConversationKey, IncomingMessage, OutgoingMessage, Platform, Sender
from dialogue.session import Session
from nlu.types import NluResult
from tests.conftest import MakeRuntime
from tests.fakes.nlu import KeywordParser
from tests.fakes.pipeline import SENT_AT, drain, msg, rows


async def test_web_chat_answers_through_inbox_and_outbox(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime()
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        r = await client.post("/web/messages", json={"sender": "ann", "text": "hello", "supplier_id": None})
        assert r.status_code == 200, r.text
        assert [x["text"] for x in r.json()["replies"]] == ["greeting: user_name=ann"]
        json_type = {"Content-Type": "application/json"}
        bad = await client.post("/web/messages", content=b"{not json", headers=json_type)
        assert bad.status_code == 400
        assert (await client.post("/web/messages", content=b"{not json")).status_code == 415  # not JSON
        missing = await client.post("/web/messages", json={"sender": "ann"})
        assert missing.status_code == 400 and "text" in missing.json()["error"]
    inbox = await rows(runtime, InboxRow)
    assert [(r.platform, r.status) for r in inbox] == [("web", "done")]
    events = await rows(runtime, TurnEventRow)
    assert [e.kind for e in events] == ["user", "bot"]
    assert events[0].intent == "greeting" and events[1].outcome == "greeting"


async def test_web_chat_refuses_remote_clients(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime()
    transport = httpx.ASGITransport(app=runtime.asgi, client=("10.1.2.3", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        r = await client.post("/web/messages", json={"sender": "x", "text": "hello"})
    assert r.status_code == 403
    assert await rows(runtime, InboxRow) == []


async def test_duplicate_delivery_is_answered_once(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(start=False)
    first = await runtime.ingest(msg("c1", "hello", "evt-1"))
    second = await runtime.ingest(msg("c1", "hello", "evt-1"))
    assert not first.duplicate and second.duplicate and second.inbox_id is None
    await drain(runtime)
    assert len(await rows(runtime, OutboxRow)) == 1


async def test_a_nul_character_is_kept_in_the_payload_and_dropped_from_text_columns(
    make_runtime: MakeRuntime,
) -> None:
    """PostgreSQL refuses U+0000 in text: the storage edge removes it there, and the turn is answered."""
    runtime = await make_runtime(start=False)
    await runtime.ingest(msg("c\x00nul", "hello\x00 there", "evt-\x00"))
    await drain(runtime)
    [inbox] = await rows(runtime, InboxRow)
    assert inbox.status == "done" and inbox.error is None
    assert "\x00" in inbox.payload["text"] and inbox.conversation_key == "web:cnul"
    events = await rows(runtime, TurnEventRow)
    assert (events[0].kind, events[0].text) == ("user", "hello there")
    assert events[1].outcome == "greeting"  # answered, not the dead-letter apology
    assert len(await rows(runtime, OutboxRow)) == 1


async def test_dedupe_key_collapses_two_events_of_one_post(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(start=False)
    a = IncomingMessage(
        platform=Platform.SLACK,
        conversation=ConversationKey(Platform.SLACK, "C1", "1.0"),
        sender=Sender("U1"),
        text="hello",
        external_id="Ev1",
        dedupe_key="C1:1.0",
        timestamp=SENT_AT,
    )
    b = IncomingMessage(
        platform=Platform.SLACK,
        conversation=a.conversation,
        sender=Sender("U1"),
        text="hello",
        external_id="Ev2",
        dedupe_key="C1:1.0",
        timestamp=SENT_AT,
    )
    assert not (await runtime.ingest(a)).duplicate
    assert (await runtime.ingest(b)).duplicate


class RecordingHandler:
    """Records the order of handled messages and the peak concurrency."""

    def __init__(self, delay: float = 0.0) -> None:
        self.seen: list[tuple[str, str]] = []
        self.active = 0
        self.peak = 0
        self.delay = delay

    async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]:
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            await asyncio.sleep(self.delay)
            self.seen.append((message.conversation.chat_id, message.text))
            return [OutgoingMessage(message.conversation, f"re: {message.text}")]
        finally:
            self.active -= 1


async def test_per_conversation_order_and_cross_conversation_concurrency(
    make_runtime: MakeRuntime, db_kind: str
) -> None:
    runtime = await make_runtime(start=False)
    handler = RecordingHandler(delay=0.02)
    for worker in runtime.workers:
        worker._handler = handler
    for i in range(6):
        for chat in ("a", "b", "c"):
            await runtime.ingest(msg(chat, f"{chat}{i}", f"{chat}-{i}"))
    # run the workers concurrently, as in production
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in runtime.workers]
    if db_kind == "postgres":
        assert len(runtime.workers) > 1
    for _ in range(200):
        if len(handler.seen) == 18:
            break
        await asyncio.sleep(0.05)
    stop.set()
    runtime.notifiers.inbox.notify()
    await asyncio.gather(*tasks)
    assert len(handler.seen) == 18
    for chat in ("a", "b", "c"):
        assert [t for c, t in handler.seen if c == chat] == [f"{chat}{i}" for i in range(6)]
    if db_kind == "postgres":
        assert handler.peak > 1  # different conversations ran at the same time


class OneSlowTurn:
    """Answers at once, except the message "slow", which waits until released (a slow language model)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]:
        if message.text == "slow":
            await self.release.wait()
        return [OutgoingMessage(message.conversation, f"re: {message.text}")]


async def test_a_slow_turn_does_not_hold_back_the_rest_of_its_batch(
    make_runtime: MakeRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import worker as worker_module

    monkeypatch.setattr(worker_module, "BATCH_WAIT_SECONDS", 0.05)
    runtime = await make_runtime(start=False)
    handler = OneSlowTurn()
    worker = runtime.workers[0]
    worker._handler = handler
    await runtime.ingest(msg("a", "slow", "s1"))
    await runtime.ingest(msg("b", "fast", "f1"))
    await runtime.ingest(msg("c", "fast too", "f2"))
    batch = asyncio.create_task(worker.run_once())  # one batch: all three heads
    for _ in range(200):
        queued = {r.conversation_key for r in await rows(runtime, OutboxRow)}
        if queued == {"web:b", "web:c"}:
            break
        await asyncio.sleep(0.01)
    assert queued == {"web:b", "web:c"}  # committed while "slow" is still running
    assert not batch.done()
    handler.release.set()
    assert await batch is True
    assert {r.conversation_key for r in await rows(runtime, OutboxRow)} == {"web:a", "web:b", "web:c"}
    assert {r.status for r in await rows(runtime, InboxRow)} == {"done"}


class CrashAfterNlu:
    """Runs the real NLU, then raises once: the message must be reclaimed and answered once."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.crashed = 0

    async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]:
        if not self.crashed:
            await self.real._nlu.parse(message.text)
            self.crashed += 1
            raise RuntimeError("worker died after NLU")
        return await self.real.handle(message, session)


async def test_failure_after_nlu_is_retried_and_answered_once(make_runtime: MakeRuntime, clock: Any) -> None:
    runtime = await make_runtime(start=False, use_clock=True)
    crash = CrashAfterNlu(runtime.manager)
    worker = runtime.workers[0]
    worker._handler = crash
    await runtime.ingest(msg("c1", "hello", "e1"))
    assert await worker.run_once()
    assert crash.crashed == 1
    inbox = (await rows(runtime, InboxRow))[0]
    assert inbox.status == "processing" and "worker died" in (inbox.error or "")
    assert not await worker.run_once()  # backing off
    clock.advance(seconds=5)
    assert await worker.run_once()
    await drain(runtime)
    out = await rows(runtime, OutboxRow)
    assert [o.status for o in out] == ["sent"]
    assert (await rows(runtime, InboxRow))[0].status == "done"


class Blocking:
    def __init__(self) -> None:
        self.entered = asyncio.Event()

    async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]:
        self.entered.set()
        await asyncio.Event().wait()  # never returns: the worker is killed here
        return []


async def test_killed_worker_message_is_reclaimed_after_lease(make_runtime: MakeRuntime, clock: Any) -> None:
    runtime = await make_runtime(start=False, use_clock=True)
    blocking = Blocking()
    doomed = runtime.workers[0]
    real = doomed._handler
    doomed._handler = blocking
    await runtime.ingest(msg("c1", "hello", "e1"))
    await runtime.ingest(msg("c1", "thanks", "e2"))
    task = asyncio.create_task(doomed.run_once())
    await asyncio.wait_for(blocking.entered.wait(), 5)
    task.cancel()  # the worker dies mid-message
    with pytest.raises(asyncio.CancelledError):
        await task
    doomed._handler = real
    assert not await doomed.run_once()  # leased: neither it nor the next message of the chat is due
    clock.advance(seconds=runtime.config.settings.pipeline.lease_seconds + 1)
    await drain(runtime)
    out = await rows(runtime, OutboxRow)
    assert [o.payload["text"] for o in out] == ["greeting", "thanks"]
    assert all(o.status == "sent" for o in out)


async def test_background_tasks_answer_end_to_end(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime()
    result = await runtime.ingest(msg("c9", "help", "h1"))
    assert result.inbox_id is not None
    replies = await runtime.wait_replies(result.inbox_id, 10)
    assert replies is not None and replies[0].text.startswith("help: capabilities=")


async def test_healthz_and_metrics(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime()
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        await client.post("/web/messages", json={"sender": "m", "text": "hello"})
        health = await client.get("/healthz")
        assert health.status_code == 200 and health.json()["database"] is True
        await runtime.stop()
        assert (await client.get("/healthz")).status_code == 503
        metrics = (await client.get("/metrics")).text
    assert 'opsbot_messages_in_total{platform="web"} 1.0' in metrics
    assert "opsbot_processing_seconds_bucket" in metrics
    assert "opsbot_queue_depth" in metrics


async def test_the_actions_warm_up_once_started_and_health_says_when_done(make_runtime: MakeRuntime) -> None:
    release = asyncio.Event()
    warmed: list[str] = []

    async def encode_the_index() -> None:
        await release.wait()
        warmed.append("index")

    actions = basic_actions()
    runtime = await make_runtime(actions=ActionTable(actions.intents, actions.forms, (encode_the_index,)))
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        cold = await client.get("/healthz")
        assert cold.status_code == 200 and cold.json()["warm"] is False  # ready while it warms up
        release.set()
        for _ in range(100):
            if (await client.get("/healthz")).json()["warm"]:
                break
            await asyncio.sleep(0.01)
        assert warmed == ["index"] and (await client.get("/healthz")).json()["warm"] is True


async def test_the_late_warm_ups_work_only_while_no_message_is_in_hand(make_runtime: MakeRuntime) -> None:
    parsing, release, quiet_now = asyncio.Event(), asyncio.Event(), asyncio.Event()

    class HeldParser(KeywordParser):
        async def parse(self, text: str) -> NluResult:
            parsing.set()
            await release.wait()  # a message in hand, its turn still running
            return await super().parse(text)

    async def decode_the_replies(quiet: Callable[[], Awaitable[None]]) -> None:
        await parsing.wait()
        await quiet()
        quiet_now.set()

    runtime = await make_runtime(parser=HeldParser(), late_warm_ups=(decode_the_replies,))
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        asked = asyncio.create_task(client.post("/web/messages", json={"sender": "q", "text": "hello"}))
        await asyncio.wait_for(parsing.wait(), 5)
        await asyncio.sleep(0.3)
        assert not quiet_now.is_set()  # the message goes first
        release.set()
        await asyncio.wait_for(quiet_now.wait(), 5)
        assert (await asked).status_code == 200


async def test_the_replies_are_decoded_after_the_indexes_and_a_stop_does_not_wait_for_them(
    make_runtime: MakeRuntime,
) -> None:
    order: list[str] = []
    decoding = asyncio.Event()

    async def encode_the_index() -> None:
        order.append("index")

    async def decode_the_replies(quiet: Callable[[], Awaitable[None]]) -> None:
        order.append("replies")
        decoding.set()
        while True:  # a slow machine's prefill, still running at the stop
            await quiet()
            await asyncio.sleep(0.01)

    actions = basic_actions()
    runtime = await make_runtime(
        actions=ActionTable(actions.intents, actions.forms, (encode_the_index,)),
        late_warm_ups=(decode_the_replies,),
    )
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        await asyncio.wait_for(decoding.wait(), 5)
        assert order == ["index", "replies"]
        assert (await client.get("/healthz")).json()["warm"] is False  # not warm until the replies are
        answered = await client.post("/web/messages", json={"sender": "w", "text": "hello"})
        assert answered.status_code == 200 and answered.json()["replies"]  # the workers answer meanwhile
    started = asyncio.get_running_loop().time()
    await runtime.stop()
    assert asyncio.get_running_loop().time() - started < 5  # not the drain's 10 s


async def test_the_data_warm_ups_get_the_store_and_today_and_a_failing_one_is_logged_not_raised(
    make_runtime: MakeRuntime, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[tuple[object, object]] = []

    async def draw_the_usual_charts(backend: object, today: object) -> None:
        seen.append((backend, today))

    async def broken(backend: object, today: object) -> None:
        raise RuntimeError("no sales table")

    actions = basic_actions()
    runtime = await make_runtime(
        actions=ActionTable(actions.intents, actions.forms, data_warm_ups=(broken, draw_the_usual_charts)),
        use_clock=True,
        start=False,
    )
    await runtime.warm_data()
    assert seen == [(runtime.backend, clock().date())]  # the one after the failure still ran
    assert "warming up" in caplog.text and "no sales table" in caplog.text


async def test_a_data_warm_up_on_a_slow_database_is_cut_short_so_the_process_still_listens(
    make_runtime: MakeRuntime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.application

    monkeypatch.setattr(bot.application, "DATA_WARM_UP_SECONDS", 0.05)

    async def read_for_ever(backend: object, today: object) -> None:
        await asyncio.Event().wait()

    actions = basic_actions()
    runtime = await make_runtime(
        actions=ActionTable(actions.intents, actions.forms, data_warm_ups=(read_for_ever,)), start=False
    )
    await asyncio.wait_for(runtime.warm_data(), 5)
    assert "took over" in caplog.text and "done on first use" in caplog.text

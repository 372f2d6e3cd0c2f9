"""Sending on SQLite and PostgreSQL: recorded when made, retried with backoff, failures, dead letters."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.base import SendResult
from bot.storage.tables import ConversationRow, InboxRow, OutboxRow, TurnEventRow
from dialogue.errors import PermanentDeliveryError, TransientDeliveryError
from dialogue.messages import IncomingMessage, OutgoingMessage, Platform
from dialogue.session import Session
from tests.conftest import MakeRuntime
from tests.fakes.pipeline import drain, msg, rows


class FlakyAdapter:
    platform = Platform.WEB

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.sent: list[str] = []

    def routes(self) -> list[Any]:
        return []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, message: OutgoingMessage) -> SendResult:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message.text)
        return SendResult(platform_message_id=f"m{len(self.sent)}")


class HeldAdapter(FlakyAdapter):
    """Delivers at once, except to conversation "slow", which waits until released."""

    def __init__(self) -> None:
        super().__init__([])
        self.release = asyncio.Event()

    async def send(self, message: OutgoingMessage) -> SendResult:
        if message.conversation.chat_id == "slow":
            await self.release.wait()
        return await super().send(message)


async def test_a_delivery_is_recorded_when_made_not_when_the_batch_is_done(make_runtime: MakeRuntime) -> None:
    """A kill can double only the sends still in flight: the others of its batch are already recorded."""
    runtime = await make_runtime(start=False)
    held = HeldAdapter()
    runtime.adapters["web"] = held
    await runtime.ingest(msg("slow", "hello", "e1"))
    await runtime.ingest(msg("fast", "hello", "e2"))
    while any([await worker.run_once() for worker in runtime.workers]):
        pass
    assert runtime.sender is not None
    sending = asyncio.create_task(runtime.sender.run_once())  # one batch: both rows
    for _ in range(200):
        statuses = {r.conversation_key: r.status for r in await rows(runtime, OutboxRow)}
        if statuses.get("web:fast") == "sent":
            break
        await asyncio.sleep(0.01)
    assert statuses == {"web:slow": "sending", "web:fast": "sent"}
    held.release.set()
    assert await sending == 2
    assert {r.status for r in await rows(runtime, OutboxRow)} == {"sent"}


async def test_transient_send_failure_is_retried_with_backoff(make_runtime: MakeRuntime, clock: Any) -> None:
    runtime = await make_runtime(start=False, use_clock=True)
    flaky = FlakyAdapter([TransientDeliveryError("HTTP 500"), TransientDeliveryError("429", retry_after=7)])
    runtime.adapters["web"] = flaky
    await runtime.ingest(msg("c1", "hello", "e1"))
    await drain(runtime)
    row = (await rows(runtime, OutboxRow))[0]
    assert row.status == "pending" and row.attempts == 1 and row.error == "HTTP 500"
    first_delay = (row.next_attempt_at - clock()).total_seconds()
    assert 0.5 <= first_delay <= 1.5  # backoff base 1 s with jitter
    clock.advance(seconds=2)
    await drain(runtime)
    row = (await rows(runtime, OutboxRow))[0]
    assert row.attempts == 2 and (row.next_attempt_at - clock()).total_seconds() == pytest.approx(7, abs=0.01)
    clock.advance(seconds=6)
    await drain(runtime)
    assert flaky.sent == []
    clock.advance(seconds=2)
    await drain(runtime)
    row = (await rows(runtime, OutboxRow))[0]
    assert flaky.sent == ["greeting"]
    assert row.status == "sent" and row.platform_message_id == "m1"


async def test_permanent_send_failure_is_recorded_not_retried(make_runtime: MakeRuntime, clock: Any) -> None:
    runtime = await make_runtime(start=False, use_clock=True)
    flaky = FlakyAdapter([PermanentDeliveryError("forbidden: bot was blocked by the user")])
    runtime.adapters["web"] = flaky
    await runtime.ingest(msg("c1", "hello", "e1"))
    await drain(runtime)
    clock.advance(hours=1)
    await drain(runtime)
    row = (await rows(runtime, OutboxRow))[0]
    assert row.status == "failed" and row.attempts == 1 and "blocked" in (row.error or "")
    conv = (await rows(runtime, ConversationRow))[0]
    assert conv.delivery_blocked and "blocked" in conv.delivery_blocked
    events = [e for e in await rows(runtime, TurnEventRow) if e.kind == "system"]
    assert events and events[0].data["event"] == "delivery_failed"


async def test_dead_letter_after_max_attempts_still_answers(make_runtime: MakeRuntime, clock: Any) -> None:
    runtime = await make_runtime(start=False, use_clock=True, overrides={"pipeline": {"max_attempts": 2}})

    class AlwaysFails:
        async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]:
            raise ValueError("bug")

    runtime.workers[0]._handler = AlwaysFails()
    await runtime.ingest(msg("c1", "hello", "e1"))
    await runtime.workers[0].run_once()
    clock.advance(seconds=10)
    await runtime.workers[0].run_once()
    inbox = (await rows(runtime, InboxRow))[0]
    assert inbox.status == "dead"
    out = await rows(runtime, OutboxRow)
    assert len(out) == 1 and "went wrong" in out[0].payload["text"]

"""The gate: uses switched on one by one, redaction before the call, and a fallback in time."""

from __future__ import annotations

import asyncio
import time

from dialogue.llm.gate import ModelGate
from dialogue.llm.model import CONNECTION, RATE_LIMITED, ChatMessage, LlmUnavailable
from tests.dialogue.llm.conftest import CountingObserver, ScriptedModel

ASK = [ChatMessage("user", "Supplier li.wei@example.cn (+86 138 0013 8000) asks about PO-10234")]


async def test_a_use_that_is_not_on_makes_no_call() -> None:
    model = ScriptedModel("hello")
    gate = ModelGate(model, uses={"listing"}, timeout_seconds=1)
    assert await gate.complete_text("knowledge", ASK) is None
    assert model.calls == []


async def test_redaction_is_applied_before_the_model_sees_the_text() -> None:
    model = ScriptedModel("ok")
    assert await ModelGate(model, uses={"assist"}, timeout_seconds=1).complete_text("assist", ASK) == "ok"
    sent = model.calls[0][1][0].content
    assert "li.wei@example.cn" not in sent and "138 0013 8000" not in sent
    assert "[email]" in sent and "[phone]" in sent and "PO-10234" in sent


async def test_without_redaction_the_text_goes_as_written() -> None:
    model = ScriptedModel("ok")
    await ModelGate(model, uses={"assist"}, timeout_seconds=1, redact=False).complete_text("assist", ASK)
    assert "li.wei@example.cn" in model.calls[0][1][0].content


async def test_a_hanging_model_falls_back_within_the_timeout() -> None:
    observer = CountingObserver()
    gate = ModelGate(ScriptedModel("late", hang=30), uses={"assist"}, timeout_seconds=0.2, observer=observer)
    started = time.perf_counter()
    assert await gate.complete_text("assist", ASK) is None
    assert time.perf_counter() - started < 0.2 + 0.5
    assert observer.fallbacks == [("assist", "timeout")]


async def test_a_slow_model_does_not_hold_up_other_work() -> None:
    gate = ModelGate(ScriptedModel("late", hang=30), uses={"assist"}, timeout_seconds=0.3)
    call = asyncio.create_task(gate.complete_text("assist", ASK))
    started = time.perf_counter()
    await asyncio.sleep(0.01)  # another conversation's turn runs while the model is out
    assert time.perf_counter() - started < 0.2
    assert await call is None


async def test_provider_errors_fall_back_with_their_reason() -> None:
    for error, reason in (
        (LlmUnavailable(RATE_LIMITED), "rate_limited"),
        (LlmUnavailable(CONNECTION), "connection"),
    ):
        observer = CountingObserver()
        gate = ModelGate(ScriptedModel(error), uses={"assist"}, timeout_seconds=1, observer=observer)
        assert await gate.complete_text("assist", ASK) is None
        assert observer.fallbacks == [("assist", reason)]


async def test_invalid_json_falls_back() -> None:
    observer = CountingObserver()
    gate = ModelGate(ScriptedModel("not json"), uses={"listing"}, timeout_seconds=1, observer=observer)
    assert await gate.complete_json("listing", ASK, {"type": "object"}) is None
    assert observer.fallbacks == [("listing", "invalid_json")]


async def test_a_provider_bug_falls_back_instead_of_failing_the_turn() -> None:
    class Broken(ScriptedModel):
        async def complete_text(self, use: str, messages: list[ChatMessage]) -> str:  # type: ignore[override]
            raise KeyError("bug")

    observer = CountingObserver()
    gate = ModelGate(Broken(), uses={"assist"}, timeout_seconds=1, observer=observer)
    assert await gate.complete_text("assist", ASK) is None
    assert observer.fallbacks == [("assist", "error")]

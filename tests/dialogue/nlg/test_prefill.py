"""After start, every reply the model can be asked for is decoded in advance; the first message
of each kind then finds its reply decoded, and the model is not asked again."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

from dialogue.nlg.corpus import model_input
from dialogue.nlg.prefill import ReplyInput, prefill, reply_inputs
from dialogue.nlg.renderer import build_renderer
from tests.dialogue.nlg.conftest import DATA_DIR, FakeModel

SHIPPED = {"order_id": "PO-1002", "carrier": "DHL", "tracking_number": "JD014", "eta": dt.date(2026, 11, 25)}


async def test_the_first_message_after_the_prefill_finds_its_reply_decoded() -> None:
    shipped = model_input("order_shipped", ("order_id", "carrier", "tracking_number", "eta"), "en")
    reply = "[order_id] is on its way with [carrier] (tracking [tracking_number]), due on [eta]."
    renderer = build_renderer(data_dir=DATA_DIR, model=FakeModel({shipped: reply}))
    inputs = list(reply_inputs(renderer.catalog, renderer.variant_counts))
    assert await renderer.decode_ahead() == len(inputs) > 500
    assert len(renderer.cache) == len(inputs)  # every outcome, fact set, language and phrasing
    asked = renderer.model_calls
    reply = await renderer.render("order_shipped", SHIPPED, language="en")
    assert reply.text == "PO-1002 is on its way with DHL (tracking JD014), due on Nov 25, 2026."
    assert reply.source == "cache" and renderer.model_calls == asked
    zh = await renderer.render(
        "order_shipped", {"order_id": "PO-1002"} | SHIPPED, language="zh", user_text="到哪了"
    )
    assert zh.source in ("cache", "template") and renderer.model_calls == asked
    await renderer.aclose()


def test_the_inputs_are_those_the_renderer_builds_each_once() -> None:
    renderer = build_renderer(data_dir=DATA_DIR, model=FakeModel())
    inputs = list(reply_inputs(renderer.catalog, renderer.variant_counts))
    assert len(set(inputs)) == len(inputs)
    assert not any(renderer.catalog.get(i.outcome).template_only for i in inputs)
    shipped = [i for i in inputs if i.outcome == "order_shipped" and i.language == "zh"]
    assert ReplyInput("order_shipped", ("order_id", "carrier", "tracking_number", "eta"), "zh", 0) in shipped
    assert {i.variant for i in shipped} == set(range(renderer.variant_counts[("order_shipped", "zh")]))


async def test_a_live_message_is_decoded_between_the_prefills_batches() -> None:
    model = FakeModel()
    model.gate = threading.Event()
    renderer = build_renderer(data_dir=DATA_DIR, model=model, batch_max_size=64)
    ahead = asyncio.create_task(renderer.decode_ahead())
    await asyncio.sleep(0.05)  # the first batch of the prefill is in the model, held by the gate
    live = asyncio.create_task(renderer.render("order_shipped", SHIPPED, language="en", user_text="where?"))
    await asyncio.sleep(0.05)
    model.gate.set()
    await asyncio.wait_for(live, 10)
    before_live = next(n for n, call in enumerate(model.calls) if any("order_shipped" in t for t in call))
    assert before_live <= 2  # not behind the hundreds of inputs still to come
    ahead.cancel()
    await renderer.aclose()


async def test_each_chunk_waits_for_the_idle_time() -> None:
    busy = asyncio.Event()
    events: list[str] = []

    async def quiet() -> None:
        events.append("quiet?")
        await busy.wait()

    async def decode(batch: list[ReplyInput]) -> int:
        events.append(f"decode {len(batch)}")
        return len(batch)

    inputs = [ReplyInput("greeting", (), "en", n) for n in range(12)]
    task = asyncio.create_task(prefill(inputs, decode, chunk=8, quiet=quiet))
    await asyncio.sleep(0.05)
    assert events == ["quiet?"]  # a message in hand: nothing decoded
    busy.set()
    assert await asyncio.wait_for(task, 5) == 12
    assert events == ["quiet?", "decode 8", "quiet?", "decode 4"]


async def test_a_failing_model_ends_the_prefill_and_nothing_else() -> None:
    calls: list[int] = []

    async def decode(batch: list[ReplyInput]) -> int:
        calls.append(len(batch))
        if len(calls) == 2:
            raise RuntimeError("the model is gone")
        return len(batch)

    inputs = [ReplyInput("greeting", (), "en", n) for n in range(20)]
    assert await prefill(inputs, decode, chunk=8) == 8
    assert calls == [8, 8]


async def test_without_a_model_there_is_nothing_to_decode() -> None:
    renderer = build_renderer(data_dir=DATA_DIR, model=None)
    assert await renderer.decode_ahead() == 0

from __future__ import annotations

import asyncio
import datetime as dt
import re
import threading
from decimal import Decimal

import pytest
from prometheus_client import CollectorRegistry

from dialogue.nlg.corpus import model_input
from dialogue.nlg.renderer import FallbackEvent, NlgRenderer, build_renderer
from dialogue.nlg.types import ReplyRenderer
from nlu.types import Money
from tests.dialogue.nlg.conftest import DATA_DIR, FakeModel

SHIPPED = {"order_id": "PO-1002", "carrier": "DHL", "tracking_number": "JD014", "eta": dt.date(2026, 11, 25)}
SHIPPED_INPUT = model_input("order_shipped", ("order_id", "carrier", "tracking_number", "eta"), "en")


def make(model: FakeModel | None, **kwargs: object) -> NlgRenderer:
    return build_renderer(data_dir=DATA_DIR, model=model, **kwargs)  # type: ignore[arg-type]


async def test_template_renderer_without_model() -> None:
    renderer: ReplyRenderer = make(None)
    reply = await renderer.render(
        "order_offer_open", {"order_id": "PO-1002", "status": "pending_confirmation"}, language="en"
    )
    assert reply.text == "Do you mean PO-1002 (pending confirmation)?"
    assert (reply.source, reply.used_fallback, reply.is_draft) == ("template", False, False)
    zh = await renderer.render("stock_confirm_update", {"sku": "AB-1020", "qty": 450}, language="zh-CN")
    assert zh.language == "zh"
    assert zh.text == "确认将 AB-1020 的库存改为 450件吗？请回复“是”或“否”。"


async def test_model_reply_is_checked_and_lexicalized() -> None:
    model = FakeModel(
        {SHIPPED_INPUT: "[order_id] is on its way with [carrier] (tracking [tracking_number]), due on [eta]."}
    )
    renderer = make(model)
    reply = await renderer.render("order_shipped", SHIPPED, language="en")
    assert reply.text == "PO-1002 is on its way with DHL (tracking JD014), due on Nov 25, 2026."
    assert (reply.source, reply.used_fallback) == ("model", False)
    await renderer.aclose()


async def test_rejected_output_falls_back_and_is_counted() -> None:
    events: list[FallbackEvent] = []
    registry = CollectorRegistry()
    model = FakeModel(
        {SHIPPED_INPUT: "[order_id] ships in 3 days with [carrier] ([tracking_number]), [eta]."}
    )
    renderer = make(model, on_fallback=events.append, registry=registry)
    reply = await renderer.render("order_shipped", SHIPPED, language="en")
    assert reply.used_fallback and reply.fallback_reason == "invented_number"
    assert reply.source == "template"
    assert reply.text.startswith("Order PO-1002 has shipped with DHL")
    await renderer.render("order_shipped", SHIPPED, language="en")  # served from the cache, counted again
    assert [e.kind for e in events] == ["invented_number", "invented_number"]
    assert renderer.fallback_counts[("order_shipped", "en", "invented_number")] == 2
    value = registry.get_sample_value(
        "opsbot_nlg_fallbacks_total",
        {"outcome": "order_shipped", "language": "en", "reason": "invented_number"},
    )
    assert value == 2.0
    await renderer.aclose()


async def test_missing_required_fact_uses_template_and_counts() -> None:
    renderer = make(FakeModel())
    reply = await renderer.render("order_shipped", {"order_id": "PO-1"}, language="en")
    assert reply.used_fallback and reply.fallback_reason.startswith("missing_fact:")
    assert "[" not in reply.text
    assert sum(renderer.fallback_counts.values()) == 1
    await renderer.aclose()


async def test_cache_serves_repeated_inputs_without_the_model() -> None:
    model = FakeModel(
        {SHIPPED_INPUT: "[order_id] shipped via [carrier], tracking [tracking_number], ETA [eta]."}
    )
    renderer = make(model, cache_size=8)
    first = await renderer.render("order_shipped", SHIPPED, language="en")
    second = await renderer.render("order_shipped", {**SHIPPED, "order_id": "PO-2000"}, language="en")
    assert first.source == "model" and second.source == "cache"
    assert second.text.startswith("PO-2000 shipped via DHL")
    assert sum(len(c) for c in model.calls) == 1
    assert renderer.cache.hits == 1
    await renderer.aclose()


async def test_user_text_picks_a_variant_but_never_enters_the_cache_key() -> None:
    model = FakeModel(default="Hello!")
    renderer = make(model, cache_size=64)
    for text in ("hi", "hello there", "good morning", "hey", "hi"):
        await renderer.render("greeting", {}, language="en", user_text=text)
    keys = [k for k in renderer.cache._data]
    assert all(len(k) == 4 and isinstance(k[3], int) for k in keys)
    assert len(keys) <= renderer.variant_counts[("greeting", "en")]
    await renderer.aclose()


async def test_concurrent_renders_share_one_generate_call() -> None:
    from dialogue.nlg.corpus import load_corpus

    phrasing = load_corpus(DATA_DIR).variants[("order_pending", "en")][0]
    phrasing = re.sub(r"\{[^}]*\}", "", phrasing)  # no eta given: drop the optional segment
    model = FakeModel(default=phrasing)
    renderer = make(model, batch_max_wait_ms=50, batch_max_size=32)
    requests = [{"order_id": f"PO-{i}", "status": "confirmed"} for i in range(10)]
    replies = await asyncio.gather(
        *(
            renderer.render("order_pending", f, language="en", user_text=str(i))
            for i, f in enumerate(requests)
        )
    )
    assert not any(r.used_fallback for r in replies), [r.fallback_reason for r in replies]
    assert {r.source for r in replies} <= {"model", "cache"}
    assert all(f"PO-{i}" in r.text and "confirmed" in r.text for i, r in enumerate(replies))
    assert len(model.calls) == 1  # one generate() for all ten (identical inputs are generated once)
    assert renderer.batcher is not None and renderer.batcher.batch_sizes == [len(model.calls[0])]
    await renderer.aclose()


async def test_requests_arriving_during_a_batch_form_the_next_batch() -> None:
    zh_input = model_input("stock_level", ("sku", "qty"), "zh")
    model = FakeModel({zh_input: "[sku] 当前库存为 [qty]。"}, default="We have [qty] of [sku] in stock.")
    model.gate = threading.Event()
    renderer = make(model, batch_max_wait_ms=1, batch_max_size=4)
    first = asyncio.ensure_future(renderer.render("stock_level", {"sku": "A-1", "qty": 1}, language="en"))
    await asyncio.sleep(0.05)
    rest = [
        asyncio.ensure_future(renderer.render("stock_level", {"sku": "A-1", "qty": 1}, language=lang))
        for lang in ("zh", "en", "zh")
    ]
    model.gate.set()
    replies = await asyncio.gather(first, *rest)
    assert not any(r.used_fallback for r in replies)
    assert len(model.calls) <= 2
    await renderer.aclose()


async def test_model_error_falls_back() -> None:
    class Broken(FakeModel):
        def generate(self, inputs: object) -> list[str]:  # type: ignore[override]
            raise RuntimeError("boom")

    renderer = make(Broken())
    reply = await renderer.render("thanks", {}, language="zh")
    assert reply.used_fallback and reply.fallback_reason == "model_error"
    assert reply.text == "不客气，如有其他需要请随时告诉我。"
    await renderer.aclose()


async def test_product_description_is_a_grounded_draft_listing() -> None:
    attrs = {"name": "Harbor Bottle", "material": "stainless steel", "size": "500 ml", "colour": "black"}
    model = FakeModel(default="[name] holds 2 litres of [material], [color], [size].")  # never asked
    renderer = make(model)
    reply = await renderer.describe_product(attrs, language="en")
    assert reply.is_draft and reply.text.startswith("Draft (for review)\n") and not reply.used_fallback
    assert "Harbor Bottle" in reply.text and "500 ml" in reply.text and "stainless steel" in reply.text
    assert "2 litres" not in reply.text and model.calls == []
    zh = await renderer.describe_product(attrs, language="zh")
    assert zh.text.startswith("草稿（待审核）\n") and "不锈钢" in zh.text and "黑色" in zh.text
    await renderer.aclose()


async def test_money_fact_from_nlu() -> None:
    renderer = make(None)
    reply = await renderer.render(
        "invoice_paid",
        {
            "invoice_id": "INV-2001",
            "amount": Money(Decimal("1234.5"), "CNY"),
            "paid_date": dt.date(2026, 1, 5),
        },
        language="zh",
    )
    assert "¥1,234.50" in reply.text and "2026年1月5日" in reply.text


async def test_unknown_outcome_raises() -> None:
    from dialogue.nlg.catalog import CatalogError

    with pytest.raises(CatalogError):
        await make(None).render("no_such_outcome", {}, language="en")


async def test_a_rejected_reply_is_composed_from_the_reply_with_every_fact() -> None:
    # the model has never learnt a greeting without a name; with one, it marks the name's clause
    model = FakeModel(
        default="Hello [user_name]! How can I help you today?",
        replies={
            model_input("greeting", ("user_name",), "en"): "Hello{ [user_name]}! How can I help you today?",
        },
    )
    events: list[FallbackEvent] = []
    renderer = make(model, on_fallback=events.append)
    reply = await renderer.render("greeting", {}, language="en")
    assert reply.text == "Hello! How can I help you today?"
    assert (reply.source, reply.used_fallback) == ("model", False) and not events
    # tried: no name in phrasing 0; once rejected, together (one batch): no name in phrasings 1 and 2,
    # and every fact in phrasings 0, 1 and 2
    assert model.calls[0] == [model_input("greeting", (), "en")]
    assert sorted(model.calls[1]) == sorted(
        [model_input("greeting", (), "en", v) for v in (1, 2)]
        + [model_input("greeting", ("user_name",), "en", v) for v in (0, 1, 2)]
    )
    named = await renderer.render("greeting", {"user_name": "Ann"}, language="en")
    assert named.text == "Hello Ann! How can I help you today?"
    assert len(model.calls) == 3
    await renderer.render("greeting", {}, language="en")  # cached: no more model calls
    assert len(model.calls) == 3
    await renderer.aclose()

"""The composition root: with `provider: off` nothing is built and nothing is called; with a model,
a sales rep's listing comes from it through the whole pipeline, or the template does, counted."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.llm.build import build_llm
from bot.metrics import Metrics
from dialogue.actions.base import ActionTable
from dialogue.actions.sales.product_description import (
    PRODUCT_FORM,
    product_description,
    product_description_form,
)
from dialogue.nlg.listing_llm import ModelListings
from tests.bot.llm.conftest import Served
from tests.conftest import MakeRuntime, make_config

LISTING_ACTIONS = ActionTable(
    intents={"product_description": product_description}, forms={PRODUCT_FORM: product_description_form}
)
GOOD = {
    "title": "Organic Cotton Bath Towel – organic cotton, 70x140 cm",
    "bullets": ["Made of organic cotton", "Quick-dry, 500 gsm", "OEKO-TEX certified"],
    "description": "The Organic Cotton Bath Towel is a home textile made of organic cotton. It measures "
    "70x140 cm, is quick-dry and OEKO-TEX certified.",
}
INVENTED = {**GOOD, "description": GOOD["description"] + " It is fully waterproof and fire-resistant."}


@pytest.fixture
async def runtime_with(make_runtime: MakeRuntime, openai_server: Served) -> AsyncIterator[Any]:
    """make_runtime with the fake model server and the listing action; the model's client closed after."""
    built: list[Any] = []

    async def make(uses: list[str] | None = None) -> Any:
        overrides = llm_overrides(openai_server, uses) if uses is not None else None
        built.append(await make_runtime(overrides=overrides, actions=LISTING_ACTIONS))
        return built[-1]

    yield make
    for runtime in built:
        await runtime.stop()
        await runtime.models.aclose()


def llm_overrides(served: Served, uses: list[str]) -> dict[str, Any]:
    return {"llm": {"provider": "openai", "base_url": served.root, "model": "fake-model", "uses": uses}}


def test_off_builds_no_model(tmp_path: Any) -> None:
    assert build_llm(make_config(tmp_path).settings.llm, api_key="", metrics=Metrics()) is None


async def test_off_makes_no_call(runtime_with: Any, openai_server: Served) -> None:
    runtime = await runtime_with()
    assert runtime.manager._services.llm is None and not isinstance(runtime.manager._renderer, ModelListings)
    reply = await web_chat(runtime, "write a listing description for AB-1020")
    assert reply.startswith("Draft: Organic Cotton Bath Towel")
    assert openai_server.fake.requests == []


async def web_chat(runtime: Any, text: str) -> str:
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        r = await client.post("/web/messages", json={"sender": "rep", "text": text})
    assert r.status_code == 200, r.text
    (reply,) = r.json()["replies"]
    return str(reply["text"])


async def test_a_listing_from_the_model_through_the_pipeline(
    runtime_with: Any, openai_server: Served
) -> None:
    openai_server.fake.content = json.dumps(GOOD)
    runtime = await runtime_with(["listing"])
    reply = await web_chat(runtime, "write a listing description for AB-1020")
    assert reply.startswith(
        "Draft (for review)\nTitle: Organic Cotton Bath Towel – organic cotton, 70x140 cm"
    )
    assert "• OEKO-TEX certified" in reply
    facts = openai_server.fake.last_text()
    assert "Organic Cotton Bath Towel" in facts and "OEKO-TEX certified" in facts
    assert (
        runtime.metrics.registry.get_sample_value(
            "opsbot_llm_tokens_total", {"use": "listing", "direction": "out"}
        )
        == 7
    )


async def test_an_invented_fact_is_not_shown_and_is_counted(runtime_with: Any, openai_server: Served) -> None:
    openai_server.fake.content = json.dumps(INVENTED)
    runtime = await runtime_with(["listing"])
    reply = await web_chat(runtime, "write a listing description for AB-1020")
    assert "waterproof" not in reply and reply.startswith("Draft: Organic Cotton Bath Towel")
    assert (
        runtime.metrics.registry.get_sample_value(
            "opsbot_llm_rejected_total", {"use": "listing", "reason": "invented_word"}
        )
        == 1
    )


async def test_a_failing_server_falls_back_and_is_counted(runtime_with: Any, openai_server: Served) -> None:
    openai_server.fake.status = 503
    runtime = await runtime_with(["listing"])
    reply = await web_chat(runtime, "write a listing description for AB-1020")
    assert reply.startswith("Draft: Organic Cotton Bath Towel")
    assert (
        runtime.metrics.registry.get_sample_value(
            "opsbot_llm_fallback_total", {"use": "listing", "reason": "server_error"}
        )
        == 1
    )

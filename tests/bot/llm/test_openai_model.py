"""The openai provider against a fake OpenAI-compatible server: structured-output modes, streaming,
redaction on the wire, and every failure falling back in time."""

from __future__ import annotations

import json
import time

import pytest

from bot.llm.openai_model import OpenAIModel
from dialogue.llm.gate import ModelGate
from dialogue.llm.model import ChatMessage
from dialogue.nlg.listing_llm import LISTING_V1_SCHEMA
from tests.bot.llm.conftest import MakeModel, Served

LISTING = {"title": "Towel", "bullets": ["Organic cotton"], "description": "A towel of organic cotton."}
ASK = [ChatMessage("system", "Write a listing."), ChatMessage("user", "Towel, organic cotton")]


async def test_json_schema_mode_sends_response_format(openai_server: Served, make_model: MakeModel) -> None:
    openai_server.fake.content = json.dumps(LISTING)
    tokens: list[tuple[str, int, int]] = []
    got = await make_model(tokens=lambda *t: tokens.append(t)).complete_json(
        "listing", ASK, LISTING_V1_SCHEMA
    )
    assert got == LISTING
    sent = openai_server.fake.requests[0]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["title", "bullets", "description"]
    assert openai_server.fake.paths == ["/v1/chat/completions"]  # the missing /v1 was added
    assert openai_server.fake.headers[0]["authorization"] == "Bearer sk-test"
    assert tokens == [("listing", 11, 7)]


async def test_vllm_mode_sends_structured_outputs(openai_server: Served, make_model: MakeModel) -> None:
    openai_server.fake.content = json.dumps(LISTING)
    assert await make_model("vllm").complete_json("listing", ASK, LISTING_V1_SCHEMA) == LISTING
    sent = openai_server.fake.requests[0]
    assert sent["structured_outputs"]["json"]["properties"]["bullets"]["type"] == "array"
    assert "response_format" not in sent


async def test_none_mode_asks_in_the_prompt_and_reads_a_fenced_block(
    openai_server: Served, make_model: MakeModel
) -> None:
    openai_server.fake.content = f"Here you are:\n```json\n{json.dumps(LISTING)}\n```"
    assert await make_model("none").complete_json("listing", ASK, LISTING_V1_SCHEMA) == LISTING
    sent = openai_server.fake.requests[0]
    assert "response_format" not in sent and "structured_outputs" not in sent
    assert "JSON Schema" in sent["messages"][0]["content"]


async def test_text_is_streamed_and_joined(openai_server: Served, make_model: MakeModel) -> None:
    openai_server.fake.content = "Payment terms are 30 days from the invoice date."
    tokens: list[tuple[str, int, int]] = []
    text = await make_model(tokens=lambda *t: tokens.append(t)).complete_text("knowledge", ASK)
    assert text == "Payment terms are 30 days from the invoice date."
    assert openai_server.fake.requests[0]["stream"] is True
    assert tokens == [("knowledge", 11, 7)]


async def test_redaction_happens_before_the_request(openai_server: Served, make_model: MakeModel) -> None:
    openai_server.fake.content = "ok"
    gate = ModelGate(make_model(), uses={"assist"}, timeout_seconds=5)
    said = "Please call me on +86 138 0013 8000 or mail li.wei@example.cn about PO-10234."
    assert await gate.complete_text("assist", [ChatMessage("user", said)]) == "ok"
    received = openai_server.fake.last_text()
    assert "138 0013 8000" not in received and "li.wei@example.cn" not in received
    assert "[phone]" in received and "[email]" in received and "PO-10234" in received


async def test_a_hanging_server_falls_back_within_the_timeout(
    openai_server: Served, make_model: MakeModel
) -> None:
    openai_server.fake.hang_seconds = 30
    timeout = 0.3
    gate = ModelGate(make_model(timeout_seconds=timeout), uses={"listing"}, timeout_seconds=timeout)
    started = time.perf_counter()
    assert await gate.complete_json("listing", ASK, LISTING_V1_SCHEMA) is None
    assert time.perf_counter() - started < timeout + 0.5


@pytest.mark.parametrize(
    ("status", "content", "reason"),
    [
        (429, "", "rate_limited"),
        (500, "", "server_error"),
        (503, "", "server_error"),
        (404, "", "client_error"),
        (None, "not json at all", "invalid_json"),
        (None, '{"title": "Towel"}', "schema"),
    ],
)
async def test_errors_and_bad_answers_fall_back_with_their_reason(
    openai_server: Served, make_model: MakeModel, status: int | None, content: str, reason: str
) -> None:
    openai_server.fake.status, openai_server.fake.content = status, content
    reasons: list[str] = []

    class Observer:
        def call(self, use: str, seconds: float, outcome: str) -> None: ...
        def fallback(self, use: str, why: str) -> None:
            reasons.append(why)

        def rejected(self, use: str, why: str) -> None: ...

    gate = ModelGate(make_model(), uses={"listing"}, timeout_seconds=5, observer=Observer())
    started = time.perf_counter()
    assert await gate.complete_json("listing", ASK, LISTING_V1_SCHEMA) is None
    assert reasons == [reason]
    assert len(openai_server.fake.requests) == 1  # no retries: the fallback is immediate
    assert time.perf_counter() - started < 5


async def test_a_server_that_is_not_there_falls_back() -> None:
    gone = OpenAIModel(base_url="http://127.0.0.1:9/v1", model="m", timeout_seconds=1)
    gate = ModelGate(gone, uses={"listing"}, timeout_seconds=2)
    assert await gate.complete_json("listing", ASK, LISTING_V1_SCHEMA) is None
    await gone.aclose()

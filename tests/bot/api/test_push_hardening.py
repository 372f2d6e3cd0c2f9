"""The push API under abuse and failure: guessed tokens, a database that fails, idempotency keys that age."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from bot.application import Application
from bot.jobs.maintenance import apply_retention
from tests.bot.api.test_push_api import AUTH, TOKEN, order

WRONG = {"Authorization": "Bearer guess"}


def client_from(runtime: Application, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=runtime.asgi, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://opsbot.example")


@pytest.fixture
async def runtime(make_runtime: Any) -> Application:
    application: Application = await make_runtime(
        env={"OPSBOT_API_TOKEN": TOKEN},
        overrides={"api": {"token_failures_before_lock": 3, "token_lock_minutes": 10}},
        start=False,
        use_clock=True,
    )
    return application


@pytest.fixture
async def client(runtime: Application) -> AsyncIterator[httpx.AsyncClient]:
    async with client_from(runtime, "10.1.2.3") as c:
        yield c


async def test_an_address_that_keeps_guessing_the_token_is_locked_out_whatever_it_sends(
    client: httpx.AsyncClient, runtime: Application
) -> None:
    for _ in range(2):
        assert (
            await client.post("/api/v1/orders", json=[order("PO-9001")], headers=WRONG)
        ).status_code == 401
    assert (await client.get("/api/v1/batches/1")).status_code == 401  # no token at all counts too

    locked = await client.post("/api/v1/orders", json=[order("PO-9001")], headers=WRONG)
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["retry-after"]) <= 600
    assert "too many wrong API tokens" in locked.json()["error"]
    # the right token now gets the same answer: a lucky guess cannot be told from a wrong one
    right = await client.post("/api/v1/orders", json=[order("PO-9001")], headers=AUTH)
    assert right.status_code == 429
    assert await runtime.batches.apply_next() is False  # type: ignore[union-attr]

    async with client_from(runtime, "10.9.9.9") as elsewhere:  # another system is not locked out
        served = await elsewhere.post("/api/v1/orders", json=[order("PO-9001")], headers=AUTH)
    assert served.status_code == 202


async def test_requests_with_the_right_token_are_never_counted(client: httpx.AsyncClient) -> None:
    for n in range(5):
        answer = await client.post("/api/v1/orders", json=[order(f"PO-90{n}")], headers=AUTH)
        assert answer.status_code == 202
    assert (await client.post("/api/v1/orders", json=[], headers=WRONG)).status_code == 401


async def test_a_database_error_while_queueing_is_a_503_json_answer_and_a_logged_traceback(
    client: httpx.AsyncClient, runtime: Application, caplog: pytest.LogCaptureFixture
) -> None:
    async with runtime.engine.begin() as conn:
        await conn.execute(text("DROP TABLE api_batches"))
    with caplog.at_level(logging.ERROR, logger="bot.api.routes"):
        answer = await client.post("/api/v1/orders", json=[order("PO-9001")], headers=AUTH)
        status = await client.get("/api/v1/batches/1", headers=AUTH)
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"].startswith("the batch could not be queued: the database is unavailable")
    assert answer.headers["retry-after"] == "5"
    assert "Traceback" not in answer.text and "api_batches" not in answer.text
    assert status.status_code == 503 and "database" in status.json()["error"]
    logged = [r for r in caplog.records if r.name == "bot.api.routes"]
    assert logged and all(r.exc_info is not None for r in logged)


async def test_an_idempotency_key_is_accepted_as_new_once_its_batch_is_past_retention(
    client: httpx.AsyncClient, runtime: Application, clock: Any
) -> None:
    keyed = {**AUTH, "Idempotency-Key": "erp-export-77"}
    first = await client.post("/api/v1/orders", json=[order("PO-9003")], headers=keyed)
    await runtime.batches.apply_next()  # type: ignore[union-attr]
    waiting = await client.post("/api/v1/orders", json=[order("PO-9100")], headers=AUTH)  # never applied

    clock.advance(days=29)
    retention = {"clock": clock, "days": 365, "batch_days": 30}
    assert await apply_retention(runtime.store.sessionmaker, **retention) == 0
    other = await client.post("/api/v1/orders", json=[order("PO-9004")], headers=keyed)
    assert other.status_code == 409  # the key still names the first batch

    clock.advance(days=2)
    assert await apply_retention(runtime.store.sessionmaker, **retention) == 1  # the queued one is kept
    again = await client.post("/api/v1/orders", json=[order("PO-9004")], headers=keyed)
    assert again.status_code == 202
    assert "replayed" not in again.json()
    assert again.json()["batch_id"] not in (first.json()["batch_id"], waiting.json()["batch_id"])
    gone = await client.get(f"/api/v1/batches/{first.json()['batch_id']}", headers=AUTH)
    assert gone.status_code == 404
    kept = await client.get(f"/api/v1/batches/{waiting.json()['batch_id']}", headers=AUTH)
    assert kept.json()["status"] == "queued"

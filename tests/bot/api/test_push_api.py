"""The push API: a system that changes all day pushes its records; they are checked, queued and applied."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.application import Application

TOKEN = "push-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def order(order_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": order_id,
        "supplier_id": "SUP-001",
        "customer_id": "CUS-001",
        "status": "confirmed",
        "created_at": "2026-11-02T09:30:00Z",
        "total": "1250.40",
        "currency": "EUR",
        **changes,
    }


async def client_for(runtime: Application) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=runtime.asgi, client=("10.1.2.3", 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://opsbot.example")


@pytest.fixture
async def runtime(make_runtime: Any) -> Application:
    application: Application = await make_runtime(
        env={"OPSBOT_API_TOKEN": TOKEN},
        overrides={"api": {"max_body_bytes": 4096}},
        start=False,
        use_clock=True,
    )
    return application


@pytest.fixture
async def client(runtime: Application) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_for(runtime) as c:
        yield c


async def test_without_the_token_or_with_a_wrong_one_the_api_answers_401(client: httpx.AsyncClient) -> None:
    body = [order("PO-9001")]
    assert (await client.post("/api/v1/orders", json=body)).status_code == 401
    wrong = await client.post("/api/v1/orders", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get("/api/v1/batches/1")).status_code == 401


async def test_a_token_in_the_query_string_is_refused_even_when_it_is_right(
    client: httpx.AsyncClient,
) -> None:
    for name in ("token", "access_token", "api_key"):
        answer = await client.post(f"/api/v1/orders?{name}={TOKEN}", json=[order("PO-9001")], headers=AUTH)
        assert answer.status_code == 400
        assert "Authorization: Bearer" in answer.json()["error"]


async def test_without_a_configured_token_the_api_is_off(make_runtime: Any) -> None:
    runtime = await make_runtime(start=False, use_clock=True)
    async with await client_for(runtime) as client:
        answer = await client.post("/api/v1/orders", json=[order("PO-9001")], headers=AUTH)
    assert answer.status_code == 503
    assert "OPSBOT_API_TOKEN" in answer.json()["error"]


async def test_an_unknown_entity_is_404(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/v1/widgets", json=[{"id": "W1"}], headers=AUTH)
    assert answer.status_code == 404
    assert "orders" in answer.json()["error"]


async def test_a_body_past_the_limit_is_413_whether_it_says_its_length_or_streams(
    client: httpx.AsyncClient, runtime: Application
) -> None:
    big = json.dumps([order(f"PO-{n}") for n in range(100)]).encode()
    assert len(big) > 4096
    said = await client.post("/api/v1/orders", content=big, headers=AUTH)
    assert said.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    streamed = await client.post("/api/v1/orders", content=chunks(), headers=AUTH)
    assert streamed.status_code == 413
    assert await runtime.batches.apply_next() is False  # type: ignore[union-attr]


async def test_row_errors_are_422_with_row_field_and_reason_and_nothing_is_queued(
    client: httpx.AsyncClient, runtime: Application
) -> None:
    body = [order("PO-9001"), order("PO-9002", status="lost", total="abc"), order("PO-9001")]
    answer = await client.post("/api/v1/orders", json=body, headers=AUTH)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(2, "status"), (2, "total"), (3, "id")}
    assert "duplicate" in next(e["reason"] for e in errors if e["row"] == 3)
    assert await runtime.batches.apply_next() is False  # type: ignore[union-attr]
    assert await runtime.backend.get_order("SUP-001", "PO-9001") is None


async def test_a_pushed_batch_is_queued_then_applied_and_readable(
    client: httpx.AsyncClient, runtime: Application
) -> None:
    answer = await client.post("/api/v1/orders", json=[order("PO-9001"), order("PO-9002")], headers=AUTH)
    assert answer.status_code == 202
    accepted = answer.json()
    assert accepted["status"] == "queued" and accepted["rows"] == 2
    assert await runtime.backend.get_order("SUP-001", "PO-9001") is None  # not applied in the request

    assert await runtime.batches.apply_next() is True  # type: ignore[union-attr]

    stored = await runtime.backend.get_order("SUP-001", "PO-9001")
    assert stored is not None and str(stored.total) == "1250.40"
    status = (await client.get(answer.headers["location"], headers=AUTH)).json()
    assert status["status"] == "applied"
    assert status["counts"] == {"inserted": 2, "updated": 0, "unchanged": 0}
    assert status["notified"] == 0  # new orders: nothing changed for the supplier

    shipped = order("PO-9001", status="shipped", carrier="DHL", tracking_number="JD0001")
    again = await client.post("/api/v1/orders", json=[shipped], headers=AUTH)
    await runtime.batches.apply_next()  # type: ignore[union-attr]
    status = (await client.get(f"/api/v1/batches/{again.json()['batch_id']}", headers=AUTH)).json()
    assert status["counts"] == {"inserted": 0, "updated": 1, "unchanged": 0}
    updated = await runtime.backend.get_order("SUP-001", "PO-9001")
    assert updated is not None and updated.tracking_number == "JD0001"


async def test_the_same_request_twice_is_applied_once(
    client: httpx.AsyncClient, runtime: Application
) -> None:
    body = [order("PO-9001")]
    first = await client.post("/api/v1/orders", json=body, headers=AUTH)
    second = await client.post("/api/v1/orders", json=body, headers=AUTH)
    assert second.status_code == 202
    assert second.json()["batch_id"] == first.json()["batch_id"]
    assert second.headers["idempotent-replayed"] == "true"
    assert await runtime.batches.apply_next() is True  # type: ignore[union-attr]
    assert await runtime.batches.apply_next() is False  # type: ignore[union-attr]

    keyed = {**AUTH, "Idempotency-Key": "erp-export-77"}
    one = await client.post("/api/v1/orders", json=[order("PO-9003")], headers=keyed)
    two = await client.post("/api/v1/orders", json=[order("PO-9003")], headers=keyed)
    assert one.json()["batch_id"] == two.json()["batch_id"]
    other_body = await client.post("/api/v1/orders", json=[order("PO-9004")], headers=keyed)
    assert other_body.status_code == 409


async def test_json_lines_are_read_by_content_type_or_by_their_first_character(
    client: httpx.AsyncClient, runtime: Application
) -> None:
    lines = "\n".join(json.dumps(order(f"PO-95{n}")) for n in range(3)) + "\n"
    typed = await client.post(
        "/api/v1/orders", content=lines, headers={**AUTH, "Content-Type": "application/x-ndjson"}
    )
    assert typed.status_code == 202 and typed.json()["rows"] == 3
    bad = '{"id": "PO-9600"}\n\nnot json\n'
    sniffed = await client.post("/api/v1/orders", content=bad, headers=AUTH)
    assert sniffed.status_code == 422
    rows = {e["row"] for e in sniffed.json()["errors"]}
    assert rows == {1, 3}  # line numbers, the blank line counted
    await runtime.batches.apply_next()  # type: ignore[union-attr]
    assert await runtime.backend.get_order("SUP-001", "PO-952") is not None


async def test_a_reference_the_store_does_not_hold_rejects_the_batch_when_applied(
    client: httpx.AsyncClient, runtime: Application
) -> None:
    body = [order("PO-9001"), order("PO-9002", supplier_id="SUP-404")]
    answer = await client.post("/api/v1/orders", json=body, headers=AUTH)
    assert answer.status_code == 202
    await runtime.batches.apply_next()  # type: ignore[union-attr]
    status = (await client.get(answer.headers["location"], headers=AUTH)).json()
    assert status["status"] == "rejected"
    assert status["errors"] == [
        {
            "row": 2,
            "field": "supplier_id",
            "reason": "unknown supplier 'SUP-404' (in neither the import nor the store)",
        }
    ]
    assert await runtime.backend.get_order("SUP-001", "PO-9001") is None  # all or nothing


async def test_the_running_bot_applies_what_is_pushed(make_runtime: Any) -> None:
    import asyncio

    runtime = await make_runtime(env={"OPSBOT_API_TOKEN": TOKEN})
    async with await client_for(runtime) as client:
        answer = await client.post("/api/v1/orders", json=[order("PO-9700")], headers=AUTH)
        for _ in range(200):
            status = (await client.get(answer.headers["location"], headers=AUTH)).json()["status"]
            if status != "queued" and status != "applying":
                break
            await asyncio.sleep(0.05)
    assert status == "applied"
    assert await runtime.backend.get_order("SUP-001", "PO-9700") is not None


junk = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
        max_leaves=20,
    ).map(lambda value: json.dumps(value).encode()),
    st.lists(
        st.dictionaries(
            st.sampled_from(["id", "supplier_id", "customer_id", "status", "total", "created_at", "x"]),
            st.none() | st.integers() | st.text(max_size=12) | st.floats(),
        ),
        max_size=5,
    ).map(lambda rows: json.dumps(rows).encode()),
    st.just(b"[" * 5000),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=junk, jsonl=st.booleans())
async def test_junk_bodies_never_get_a_5xx(client: httpx.AsyncClient, body: bytes, jsonl: bool) -> None:
    content_type = "application/x-ndjson" if jsonl else "application/json"
    answer = await client.post("/api/v1/orders", content=body, headers={**AUTH, "Content-Type": content_type})
    assert answer.status_code < 500, answer.text

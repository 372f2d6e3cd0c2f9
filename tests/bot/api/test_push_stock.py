"""A pushed stock level that changes a quantity leaves a line in the stock history, naming the batch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.application import Application
from bot.storage.tables import InventoryChangeRow
from tests.bot.api.test_push_api import AUTH, TOKEN, client_for


@pytest.fixture
async def runtime(make_runtime: Any) -> Application:
    application: Application = await make_runtime(
        env={"OPSBOT_API_TOKEN": TOKEN}, start=False, use_clock=True
    )
    return application


@pytest.fixture
async def client(runtime: Application) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_for(runtime) as c:
        yield c


async def history(runtime: Application) -> list[tuple[str, int, int, str]]:
    async with runtime.store.sessionmaker() as s:
        rows = (await s.execute(select(InventoryChangeRow).order_by(InventoryChangeRow.id))).scalars()
        return [(r.sku, r.old_quantity, r.new_quantity, r.changed_by) for r in rows]


async def test_a_pushed_stock_change_is_in_the_history_once(
    client: httpx.AsyncClient, runtime: Application
) -> None:
    before = await runtime.backend.get_stock("SUP-001", "AB-1020")
    assert before is not None
    level = [{"supplier_id": "SUP-001", "sku": "AB-1020", "quantity": before.quantity + 5}]
    answer = await client.post("/api/v1/stock", json=level, headers=AUTH)
    assert answer.status_code == 202
    await runtime.batches.apply_next()  # type: ignore[union-attr]
    batch = answer.json()["batch_id"]
    assert await history(runtime) == [
        ("AB-1020", before.quantity, before.quantity + 5, f"import:api batch {batch}")
    ]

    again = await client.post("/api/v1/stock", json=level, headers={**AUTH, "Idempotency-Key": "another"})
    await runtime.batches.apply_next()  # type: ignore[union-attr]
    assert again.json()["batch_id"] != batch
    assert len(await history(runtime)) == 1  # the same quantity again: no change

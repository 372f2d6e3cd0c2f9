"""A company imports its data with ids of its own shape; its suppliers ask about them by those ids.

The bot keeps running while `opsbot import` runs (another process): the next turn after the import
knows the new ids. A supplier only ever sees their own records: another supplier's id is "not found",
word for word as an id that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from bot.dataio.apply import sync_engine
from bot.dataio.importer import run_import
from bot.ml import fresh_ids
from dialogue.actions.registry import default_actions
from tests.bot.dataio.company import COMPANY, write
from tests.conftest import MakeRuntime
from tests.fakes.nlu import KeywordParser

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
REFRESH_SECONDS = 10.0


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sync_db(database: tuple[str, str | None]) -> Iterator[Engine]:
    url, schema = database
    engine = sync_engine(url, search_path=schema)
    yield engine
    engine.dispose()


@pytest.fixture
async def bot(make_runtime: MakeRuntime, monotonic: Monotonic) -> Any:
    """The bot on the demo data, with the keyword NLU reading the store's ids as the real one does."""

    def make_parser(names: Any) -> Any:
        parser = KeywordParser(names, ids=names)
        return fresh_ids(parser, names, every_seconds=REFRESH_SECONDS, monotonic=monotonic)

    return await make_runtime(make_parser=make_parser, actions=default_actions(embedder=None))


@pytest.fixture
def monotonic() -> Monotonic:
    return Monotonic()


async def say(runtime: Any, text: str, supplier_id: str, sender: str = "ann") -> str:
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        r = await client.post(
            "/web/messages", json={"sender": sender, "text": text, "supplier_id": supplier_id}
        )
    assert r.status_code == 200, r.text
    return "\n".join(x["text"] for x in r.json()["replies"])


async def test_a_supplier_asks_about_an_imported_order_by_its_own_id(
    bot: Any, sync_db: Engine, tmp_path: Path
) -> None:
    assert run_import(sync_db, write(tmp_path / "company", "csv"), now=NOW).applied

    shipped = await say(bot, "where is 4500987654?", supplier_id="4711")
    in_chinese = await say(bot, "4500987654到哪了", supplier_id="4711", sender="bo")

    assert shipped.startswith("order_shipped:") and "order_id=4500987654" in shipped
    assert "carrier=DHL Express" in shipped and "tracking_number=JD0146000032" in shipped
    assert in_chinese.startswith("order_shipped:") and "order_id=4500987654" in in_chinese


async def test_other_shapes_reach_the_invoice_and_the_stock(
    bot: Any, sync_db: Engine, tmp_path: Path
) -> None:
    run_import(sync_db, write(tmp_path / "company", "jsonl"), now=NOW)

    invoice = await say(bot, "has invoice re-2026-0099 been paid?", supplier_id="4711")
    stock = await say(bot, "stock of TX-77-0345", supplier_id="4711", sender="bo")
    other = await say(bot, "where is so/2026/00042", supplier_id="4712", sender="cy")

    assert invoice.startswith("invoice_") and "invoice_id=RE-2026-0099" in invoice
    assert "not_found" not in invoice
    assert "sku=TX-77-0345" in stock and "1200" in stock
    assert other.startswith("order_") and "order_id=SO/2026/00042" in other and "not_found" not in other


async def test_another_suppliers_id_is_not_found_like_a_missing_one(
    bot: Any, sync_db: Engine, tmp_path: Path
) -> None:
    run_import(sync_db, write(tmp_path / "company", "csv"), now=NOW)

    foreign = await say(bot, "where is 4500987654?", supplier_id="4712")  # 4711's order
    missing = await say(bot, "where is 4500987699?", supplier_id="4712", sender="bo")  # nobody's
    demo = await say(bot, "where is 4500987654?", supplier_id="SUP-001", sender="cy")

    assert foreign == "order_not_found: order_id=4500987654"
    assert missing == foreign.replace("4500987654", "4500987699")
    assert demo == foreign
    assert "DHL" not in foreign


async def test_a_new_import_is_known_without_a_restart(
    bot: Any, sync_db: Engine, tmp_path: Path, monotonic: Monotonic
) -> None:
    run_import(sync_db, write(tmp_path / "v1", "csv"), now=NOW)
    assert "order_id=4500987654" in await say(bot, "where is 4500987654?", supplier_id="4711")
    new_order = {**COMPANY["orders"][0], "id": "KX.88.A1", "status": "confirmed", "eta": "2026-04-01"}
    run_import(sync_db, write(tmp_path / "v2", "jsonl", {"orders": [new_order]}), now=NOW)

    monotonic.now += 1  # within the interval: the ids read at the last check
    before = await say(bot, "where is KX.88.A1?", supplier_id="4711", sender="bo")
    monotonic.now += REFRESH_SECONDS
    after = await say(bot, "where is KX.88.A1?", supplier_id="4711", sender="cy")

    assert "KX.88.A1" not in before  # not an id yet: the bot asks which order
    assert after.startswith("order_pending:") and "order_id=KX.88.A1" in after


async def test_the_demo_ids_keep_working_next_to_the_imported_ones(
    bot: Any, sync_db: Engine, tmp_path: Path
) -> None:
    run_import(sync_db, write(tmp_path / "company", "csv"), now=NOW)

    reply = await say(bot, "where is po 1001?", supplier_id="SUP-001")

    assert reply.startswith("order_shipped:") and "order_id=PO-1001" in reply

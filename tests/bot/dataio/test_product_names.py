"""A product imported with a Chinese name is shown by it to a supplier who writes Chinese."""

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
from dialogue.actions.registry import default_actions
from tests.bot.dataio.company import write
from tests.conftest import MakeRuntime
from tests.fakes.nlu import KeywordParser

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def sync_db(database: tuple[str, str | None]) -> Iterator[Engine]:
    url, schema = database
    engine = sync_engine(url, search_path=schema)
    yield engine
    engine.dispose()


@pytest.fixture
async def bot(make_runtime: MakeRuntime) -> Any:
    return await make_runtime(
        make_parser=lambda names: KeywordParser(names, ids=names), actions=default_actions(embedder=None)
    )


async def say(runtime: Any, text: str, supplier_id: str) -> str:
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        r = await client.post(
            "/web/messages", json={"sender": "ann", "text": text, "supplier_id": supplier_id}
        )
    assert r.status_code == 200, r.text
    return r.text  # the replies, their tables included


async def test_the_store_reads_a_products_chinese_name(bot: Any, sync_db: Engine, tmp_path: Path) -> None:
    assert run_import(sync_db, write(tmp_path / "company", "csv"), now=NOW).applied
    tote = await bot.backend.get_product("TX-77-0345")
    bulb = await bot.backend.get_product("LED/9W/E27")
    assert (tote.name, tote.name_zh) == ("Cotton tote bag", "棉质手提袋")
    assert bulb.name_zh == ""
    assert {p.sku: p.name_zh for p in await bot.backend.list_products()}["TX-77-0345"] == "棉质手提袋"


async def test_a_stock_listing_in_chinese_names_the_product_in_chinese(
    bot: Any, sync_db: Engine, tmp_path: Path
) -> None:
    assert run_import(sync_db, write(tmp_path / "company", "csv"), now=NOW).applied
    in_chinese = await say(bot, "我的库存", supplier_id="4711")
    in_english = await say(bot, "show my stock", supplier_id="4711")
    assert "棉质手提袋" in in_chinese and "Cotton tote bag" not in in_chinese
    assert "Cotton tote bag" in in_english and "棉质手提袋" not in in_english

"""A forecast's chart travels with its reply to Telegram: stored with the outbox row in the turn's
transaction, fetched back by the sender and uploaded as a photo. Both databases."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.storage.tables import GeneratedFileRow, OutboxRow
from tests.adapters.telegram.test_e2e import Supplier, start_runtime, webhook_client
from tests.conftest import MakeRuntime
from tests.fakes.telegram_api import FakeTelegramAPI

PNG = b"\x89PNG\r\n\x1a\n"


async def test_a_supplier_on_telegram_gets_the_forecast_and_its_chart(
    make_runtime: MakeRuntime, telegram_api: FakeTelegramAPI
) -> None:
    runtime = await start_runtime(make_runtime, telegram_api)
    async with webhook_client(runtime) as client:
        supplier = Supplier(client, telegram_api)
        assert (await supplier.link(runtime, "SUP-001")).startswith("link_success")
        await supplier.say("forecast AB-1020 for the next 6 weeks")
        await telegram_api.until(lambda: len(telegram_api.sent_files(supplier.chat_id)) == 1, within=30)
    [chart] = telegram_api.sent_files(supplier.chat_id)
    assert chart.method == "sendPhoto" and chart.file_name == "forecast-AB-1020.png"
    assert chart.data.startswith(PNG) and chart.size > 5_000
    words = " ".join([chart.caption, *supplier.replies()])
    assert "demand_forecast" in words and "AB-1020" in words  # the text went too (as caption or message)
    async with runtime.store.sessionmaker() as s:
        rows = (await s.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars().all()
        stored = (await s.execute(select(func.count()).select_from(GeneratedFileRow))).scalar_one()
    assert stored == 1
    [reference] = rows[-1].payload["files"]
    assert reference["platform"] == "generated" and "content" not in reference  # an id, not the bytes

"""A change imported for a supplier reaches its Telegram chat through the outbox and the fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot.dataio.apply import sync_engine
from bot.dataio.importer import ImportReport, run_import
from bot.jobs.notifications import release_held
from bot.notifications.settings import NotificationSettings, QuietHours
from bot.storage.tables import OutboxRow
from dialogue.clock import ManualClock
from tests.adapters.telegram.test_e2e import Supplier, start_runtime, webhook_client
from tests.bot.dataio.company import COMPANY, write
from tests.conftest import MakeRuntime
from tests.fakes.telegram_api import FakeTelegramAPI

ORDER = "SO/2026/00042"  # supplier 4712's order, "confirmed" in COMPANY
SHIPPED = {
    "status": "shipped",
    "carrier": "SF Express",
    "tracking_number": "SF1234567890",
    "eta": "2026-12-01",
}


@pytest.fixture
def sync_db(database: tuple[str, str | None]) -> Iterator[Engine]:
    url, schema = database
    engine = sync_engine(url, search_path=schema)
    yield engine
    engine.dispose()


class Operator:
    """Imports the company's files, each version in a folder of its own."""

    def __init__(self, engine: Engine, folder: Path, clock: ManualClock) -> None:
        self.engine, self.folder, self.clock, self.version = engine, folder, clock, 0

    def imports(self, settings: NotificationSettings | None = None, **order: Any) -> ImportReport:
        self.version += 1
        company = {
            **COMPANY,
            "orders": [{**o, **order} if o["id"] == ORDER else o for o in COMPANY["orders"]],
        }
        folder = write(self.folder / f"v{self.version}", "jsonl", company)
        report = run_import(self.engine, folder, now=self.clock(), notifications=settings)
        assert report.applied, report.errors
        return report

    def outbox_rows(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(OutboxRow)).scalar_one())


async def test_a_supplier_is_told_of_a_change_once_and_can_turn_it_off(
    make_runtime: MakeRuntime,
    telegram_api: FakeTelegramAPI,
    sync_db: Engine,
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    runtime = await start_runtime(make_runtime, telegram_api, seed=False, use_clock=True)
    operator = Operator(sync_db, tmp_path / "company", clock)
    assert operator.imports().notified == 0  # the first import of a company tells nobody
    async with webhook_client(runtime) as client:
        supplier = Supplier(client, telegram_api)
        assert (await supplier.link(runtime, "4712")).startswith("link_success")

        assert operator.imports(**SHIPPED).notified == 1
        told = (await supplier.expect(2))[1]
        assert told == (
            "📦 Order SO/2026/00042 has shipped via SF Express, tracking SF1234567890, expected 2026-12-01.\n"
            "Send /notifications off to stop these updates."
        )
        assert operator.imports(**SHIPPED).notified == 0  # a re-import of unchanged data
        assert operator.outbox_rows() == 2

        await supplier.say("/notifications off")
        assert (await supplier.expect(3))[2].startswith("🔕 Notifications are off.")
        assert operator.imports(**{**SHIPPED, "eta": "2026-12-03"}).notified == 0

        await supplier.say("开启通知")
        assert (await supplier.expect(4))[3].startswith("🔔 已开启通知")  # nothing came in between
        assert (
            operator.imports(**{**SHIPPED, "status": "delivered", "delivered_at": "2026-12-02"}).notified == 1
        )
        assert (await supplier.expect(5))[4].startswith("✅ 订单 SO/2026/00042 已送达（2026-12-02）。")
    assert len(telegram_api.messages_to(supplier.chat_id)) == 5


async def test_a_change_in_quiet_hours_waits_for_the_morning(
    make_runtime: MakeRuntime,
    telegram_api: FakeTelegramAPI,
    sync_db: Engine,
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    quiet = NotificationSettings(
        quiet_hours=QuietHours(start=time(22), end=time(7), timezone="Asia/Shanghai")
    )
    runtime = await start_runtime(make_runtime, telegram_api, seed=False, use_clock=True)
    operator = Operator(sync_db, tmp_path / "company", clock)
    operator.imports(quiet)
    async with webhook_client(runtime) as client:
        supplier = Supplier(client, telegram_api)
        await supplier.link(runtime, "4712")
        clock.now = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai

        assert operator.imports(quiet, **SHIPPED).notified == 1
        clock.now = datetime(2026, 11, 23, 22, 59, tzinfo=UTC)  # 06:59
        assert await release_held(runtime.store.sessionmaker, clock=clock) == 0
        await supplier.say("/notifications")  # the chat goes on meanwhile: its replies are not held up
        assert (await supplier.expect(2))[1].startswith("Notifications are on.")

        clock.advance(minutes=1)  # 07:00: the quiet hours are over
        wake = runtime.notifiers.outbox.notify
        assert await release_held(runtime.store.sessionmaker, clock=clock, wake=wake) == 1
        assert (await supplier.expect(3))[2].startswith("📦 Order SO/2026/00042 has shipped")
        assert await release_held(runtime.store.sessionmaker, clock=clock, wake=wake) == 0  # once

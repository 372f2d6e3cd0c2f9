"""An import that changes an order or an invoice tells the linked chats, once, in their language."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select

from bot.dataio.importer import run_import
from bot.jobs.notifications import release_held
from bot.notifications.settings import NotificationSettings, QuietHours
from bot.storage.db import make_sessionmaker
from bot.storage.serde import outgoing_from_json
from bot.storage.tables import ConversationRow, DataChangeRow, NotificationRow, OutboxRow, SupplierLinkRow
from dialogue.clock import ManualClock
from tests.bot.dataio.company import COMPANY, write

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 11, 8, 0, tzinfo=UTC)
SHIPPED = {
    "status": "shipped",
    "carrier": "SF Express",
    "tracking_number": "SF1234567890",
    "eta": "2026-03-20",
}


def _company(**orders: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """COMPANY with some of its orders changed."""
    return {**COMPANY, "orders": [{**o, **orders.get(o["id"], {})} for o in COMPANY["orders"]]}


def _link(engine: Engine, supplier: str, user: str, *, language: str | None = None, **state: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(SupplierLinkRow).values(
                platform="telegram", user_id=user, supplier_id=supplier, linked_at=NOW
            )
        )
        if language is not None:
            conn.execute(
                insert(ConversationRow).values(
                    key=f"telegram:{user}",
                    platform="telegram",
                    user_id=user,
                    language=language,
                    supplier_id=supplier,
                    slots={},
                    state=state,
                    version=1,
                    session_started_at=NOW,
                    last_activity_at=NOW,
                    created_at=NOW,
                )
            )


def _outbox(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(OutboxRow.conversation_key, OutboxRow.payload).order_by(OutboxRow.id)
        ).all()
    return [(r.conversation_key, outgoing_from_json(r.payload).text) for r in rows]


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


async def test_a_shipped_order_is_told_once_to_each_linked_chat(sync_db: Engine, tmp_path: Path) -> None:
    first = run_import(sync_db, write(tmp_path / "v1", "jsonl"), now=NOW)
    assert first.applied and first.notified == 0  # the first import of a company tells nobody
    _link(sync_db, "4712", "9001", language="zh")
    _link(sync_db, "4712", "9002")  # linked, has not written yet: the default language
    _link(sync_db, "4711", "9003", language="en")  # another supplier's chat

    shipped = run_import(
        sync_db, write(tmp_path / "v2", "jsonl", _company(**{"SO/2026/00042": SHIPPED})), now=LATER
    )

    assert shipped.notified == 2
    sent = dict(_outbox(sync_db))
    assert set(sent) == {"telegram:9001", "telegram:9002"}
    assert "订单 SO/2026/00042 已发货" in sent["telegram:9001"] and "SF1234567890" in sent["telegram:9001"]
    assert sent["telegram:9002"].startswith(
        "📦 Order SO/2026/00042 has shipped via SF Express, tracking SF1234567890, expected 2026-03-20."
    )

    again = run_import(
        sync_db, write(tmp_path / "v3", "csv", _company(**{"SO/2026/00042": SHIPPED})), now=LATER
    )
    assert again.notified == 0 and len(_outbox(sync_db)) == 2  # a re-import tells nobody


async def test_the_same_change_arriving_twice_is_told_once(sync_db: Engine, tmp_path: Path) -> None:
    run_import(sync_db, write(tmp_path / "v1", "jsonl"), now=NOW)
    _link(sync_db, "4712", "9001", language="en")
    run_import(sync_db, write(tmp_path / "v2", "jsonl", _company(**{"SO/2026/00042": SHIPPED})), now=NOW)
    back = {"status": "confirmed", "carrier": None, "tracking_number": None, "eta": "2026-03-20"}
    run_import(sync_db, write(tmp_path / "v3", "jsonl", _company(**{"SO/2026/00042": back})), now=NOW)
    run_import(sync_db, write(tmp_path / "v4", "jsonl", _company(**{"SO/2026/00042": SHIPPED})), now=LATER)

    assert len(_outbox(sync_db)) == 1 and _count(sync_db, DataChangeRow) == 1


async def test_eta_delivery_and_invoices_are_changes_too(sync_db: Engine, tmp_path: Path) -> None:
    run_import(sync_db, write(tmp_path / "v1", "jsonl"), now=NOW)
    _link(sync_db, "4711", "9003", language="en")
    company = _company(**{"4500987654": {"eta": "2026-03-18"}})
    company["invoices"] = [{**COMPANY["invoices"][0], "status": "paid", "paid_at": "2026-03-11"}]

    report = run_import(sync_db, write(tmp_path / "v2", "jsonl", company), now=LATER)

    assert sorted(c.kind for c in report.changes) == ["invoice_paid", "order_eta"]
    texts = [text for _key, text in _outbox(sync_db)]
    assert texts[0].startswith("🗓 The ETA of order 4500987654 moved from 2026-03-16 to 2026-03-18.")
    assert texts[1].startswith("💰 Invoice RE-2026-0099 (USD 1,360.00) was paid on 2026-03-11.")


async def test_a_chat_that_turned_notifications_off_gets_none(sync_db: Engine, tmp_path: Path) -> None:
    run_import(sync_db, write(tmp_path / "v1", "jsonl"), now=NOW)
    _link(sync_db, "4712", "9001", language="en", notifications_off=True)

    report = run_import(
        sync_db, write(tmp_path / "v2", "jsonl", _company(**{"SO/2026/00042": SHIPPED})), now=LATER
    )

    assert report.notified == 0 and _outbox(sync_db) == [] and _count(sync_db, NotificationRow) == 0
    assert _count(sync_db, DataChangeRow) == 1  # the change is still recorded (the digest counts it)


async def test_quiet_hours_hold_a_notification_until_they_end(
    sync_db: Engine, engine: Any, tmp_path: Path
) -> None:
    quiet = NotificationSettings(
        quiet_hours=QuietHours(start=time(22), end=time(7), timezone="Asia/Shanghai")
    )
    run_import(sync_db, write(tmp_path / "v1", "jsonl"), now=NOW)
    _link(sync_db, "4712", "9001", language="en")
    night = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai

    report = run_import(
        sync_db,
        write(tmp_path / "v2", "jsonl", _company(**{"SO/2026/00042": SHIPPED})),
        now=night,
        notifications=quiet,
    )

    assert report.notified == 1 and _outbox(sync_db) == []
    clock = ManualClock(datetime(2026, 3, 10, 22, 59, tzinfo=UTC))  # 06:59 in Shanghai
    sessionmaker = make_sessionmaker(engine)
    assert await release_held(sessionmaker, clock=clock) == 0
    clock.advance(minutes=1)  # 07:00: the quiet hours are over
    assert await release_held(sessionmaker, clock=clock) == 1
    assert await release_held(sessionmaker, clock=clock) == 0  # sent once
    assert [key for key, _text in _outbox(sync_db)] == ["telegram:9001"]

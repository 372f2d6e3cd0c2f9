"""Daily Slack digest: figures, once-per-period posting, scheduling, `opsbot digest --now`."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import func, select
from typer.testing import CliRunner

from adapters.base import SendResult
from adapters.slack import SlackDigestSettings
from adapters.slack.blocks import build_blocks
from adapters.slack.outbound import SlackSender, make_web_client
from bot.config import PipelineSettings
from bot.jobs.digest import (
    JOB_NAME,
    DigestSources,
    build_digest,
    post_digest_once,
    run_scheduled_digest,
    schedule_digest,
)
from bot.metrics import Metrics
from bot.notify import Notifier
from bot.sender import OutboxSender
from bot.storage.backend import SqlBackend
from bot.storage.db import make_sessionmaker
from bot.storage.outbox import Outbox
from bot.storage.tables import (
    CustomerRow,
    EscalationRow,
    JobRunRow,
    OrderRow,
    OutboxRow,
    SupplierRow,
    TurnEventRow,
)
from dialogue.clock import ManualClock
from dialogue.errors import PermanentDeliveryError, TransientDeliveryError
from dialogue.messages import ConversationKey, OutgoingMessage, Platform
from tests.fakes.slack_api import FakeSlackApi, slack_api_fixture, slack_api_server_fixture

__all__ = ["slack_api_fixture", "slack_api_server_fixture"]  # fixtures

TZ = "Europe/Berlin"
DAY = date(2026, 11, 23)  # a Monday; Berlin is UTC+1
NOW = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)  # 08:30 Berlin the next morning
CHANNEL = "CDIGEST"


def utc(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC)


async def seed(sm: Any) -> None:
    async with sm.begin() as s:
        s.add(SupplierRow(id="SUP-1", name="Sunrise"))
        s.add(CustomerRow(id="CUS-1", name="ACME"))
        await s.flush()

        def order(oid: str, created: datetime, total: str, **kw: Any) -> OrderRow:
            kw.setdefault("status", "confirmed")
            return OrderRow(id=oid, supplier_id="SUP-1", customer_id="CUS-1", created_at=created,
                            total=Decimal(total), **kw)  # fmt: skip

        prev = DAY - timedelta(days=1)
        s.add_all(
            [
                order("PO-1", utc(prev, 23, 30), "100.00"),  # 00:30 Berlin on DAY: counted
                order("PO-2", utc(DAY, 12), "250.50", status="delivered"),
                order("PO-3", utc(DAY, 13), "999.00", status="cancelled"),  # not counted
                order("PO-4", utc(DAY, 23, 30), "70.00"),  # 00:30 Berlin the next day: not counted
                order("PO-5", utc(DAY, 9), "30.00", currency="EUR"),
                # late: open, ETA before the report day; PO-7 is on time, PO-8 is delivered
                order("PO-6", utc(DAY - timedelta(days=30), 9), "1.00", eta=DAY - timedelta(days=2)),
                order("PO-7", utc(DAY - timedelta(days=30), 9), "1.00", eta=DAY + timedelta(days=5)),
                order("PO-8", utc(DAY - timedelta(days=30), 9), "1.00", status="delivered", eta=DAY),
                order("PO-9", utc(DAY - timedelta(days=30), 9), "1.00", status="shipped", promised_date=DAY),
            ]
        )

        def esc(status: str, claim_due: datetime, resolve_due: datetime) -> EscalationRow:
            chat = f"telegram:{status}:{claim_due.hour}"  # one open escalation per conversation
            return EscalationRow(conversation_key=chat, reason="explicit", status=status,
                                 created_at=utc(DAY, 8), updated_at=utc(DAY, 8),
                                 claim_due_at=claim_due, resolve_due_at=resolve_due)  # fmt: skip

        s.add_all(
            [
                esc("pending", NOW - timedelta(hours=1), NOW + timedelta(hours=3)),  # claim SLA breached
                esc("assigned", NOW - timedelta(hours=1), NOW + timedelta(hours=3)),  # claimed in time: fine
                esc("assigned", NOW - timedelta(hours=9), NOW - timedelta(hours=1)),  # resolve SLA breached
                esc("resolved", NOW - timedelta(hours=9), NOW - timedelta(hours=1)),  # closed: ignored
            ]
        )
        for intent, n in (("sales_summary", 3), ("order_status", 2), ("out_of_scope", 1)):
            for _ in range(n):
                s.add(TurnEventRow(conversation_key="slack:C1:1", kind="user", intent=intent,
                                   created_at=utc(DAY, 10)))  # fmt: skip
        s.add(
            TurnEventRow(
                conversation_key="slack:C1:1", kind="bot", intent="greeting", created_at=utc(DAY, 10)
            )
        )
        s.add(
            TurnEventRow(
                conversation_key="slack:C1:1", kind="user", intent="greeting", created_at=utc(DAY, 23, 30)
            )
        )


@pytest.fixture
async def sm(engine: Any) -> Any:
    sessionmaker = make_sessionmaker(engine)
    await seed(sessionmaker)
    return sessionmaker


def sources(sm: Any) -> DigestSources:
    return DigestSources(backend=SqlBackend(sm, clock=ManualClock(NOW)), sessionmaker=sm)


class Poster:
    """A Slack adapter double: records what it was asked to post, or fails as told."""

    def __init__(self, error: Exception | None = None) -> None:
        self.posted: list[OutgoingMessage] = []
        self.error = error

    async def send(self, message: OutgoingMessage) -> SendResult:
        if self.error is not None:
            raise self.error
        self.posted.append(message)
        return SendResult("1700000000.000001")


def deliver_through(sm: Any, poster: Poster, clock: ManualClock) -> Any:
    """The outbox sender's `deliver_now`, with `poster` as the Slack adapter."""
    sender = OutboxSender(
        outbox=Outbox(sm, clock=clock),
        adapters={"slack": poster},
        settings=PipelineSettings(),
        metrics=Metrics(),
        notifier=Notifier(),
    )
    return sender.deliver_now


async def count(sm: Any, model: Any) -> int:
    async with sm() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


async def test_build_digest_figures(sm: Any) -> None:
    digest = await build_digest(sources(sm), day=DAY, tz=TZ, now=NOW)
    f = digest.figures
    assert f.order_count == 3  # PO-1, PO-2 (USD) and PO-5 (EUR)
    assert dict(f.revenue) == {"USD": Decimal("350.50"), "EUR": Decimal("30.00")}
    assert f.late_orders == ("PO-6", "PO-9")
    assert (f.open_escalations, f.unclaimed_escalations, f.sla_breaches) == (3, 1, 2)
    assert f.top_intents == (("sales_summary", 3), ("order_status", 2), ("out_of_scope", 1))
    assert f.questions == 6
    assert "Orders: 3" in digest.text and "USD 350.50" in digest.text and "PO-6, PO-9" in digest.text
    assert "sales summary (3)" in digest.text and "not understood (1)" in digest.text
    blocks = build_blocks(
        OutgoingMessage(ConversationKey(Platform.SLACK, CHANNEL), digest.text, card=digest.card)
    )
    assert blocks[0]["type"] == "header"
    assert "Mon 23 Nov 2026" in blocks[0]["text"]["text"]


async def test_digest_of_an_empty_day(sm: Any) -> None:
    digest = await build_digest(sources(sm), day=DAY - timedelta(days=10), tz=TZ, now=NOW)
    assert digest.figures.order_count == 0 and digest.figures.top_intents == ()
    assert "Orders: 0" in digest.text


async def test_digest_is_queued_once_when_triggered_twice(sm: Any) -> None:
    clock = ManualClock(NOW)
    outbox = Outbox(sm, clock=clock)
    first = await post_digest_once(sources(sm), outbox, day=DAY, tz=TZ, channel=CHANNEL, clock=clock)
    second = await post_digest_once(sources(sm), outbox, day=DAY, tz=TZ, channel=CHANNEL, clock=clock)
    assert (first, second) == (True, False)
    assert await count(sm, JobRunRow) == 1
    assert await count(sm, OutboxRow) == 1
    async with sm() as s:
        row = (await s.execute(select(OutboxRow))).scalar_one()
        run = (await s.execute(select(JobRunRow))).scalar_one()
    assert (run.job, run.period_key) == (JOB_NAME, DAY.isoformat())
    assert (row.platform, row.conversation_key, row.status) == ("slack", f"slack:{CHANNEL}", "pending")
    assert row.payload["kind"] == "digest"
    assert row.payload["card"]["title"] == "Daily digest for Mon 23 Nov 2026"


async def test_concurrent_triggers_post_once(sm: Any) -> None:
    poster = Poster()
    clock = ManualClock(NOW)
    outbox = Outbox(sm, clock=clock)
    deliver = deliver_through(sm, poster, clock)
    results = await asyncio.gather(
        *(
            post_digest_once(sources(sm), outbox, deliver, day=DAY, tz=TZ, channel=CHANNEL, clock=clock)
            for _ in range(4)
        )
    )
    assert sorted(results) == [False, False, False, True]
    assert len(poster.posted) == 1
    assert await count(sm, OutboxRow) == 1
    async with sm() as s:
        row = (await s.execute(select(OutboxRow))).scalar_one()
    assert (row.status, row.platform_message_id, row.attempts) == ("sent", "1700000000.000001", 1)


@pytest.mark.parametrize(
    ("error", "status"),
    [(TransientDeliveryError("slack: ratelimited", retry_after=12), "pending"),
     (PermanentDeliveryError("slack: channel_not_found"), "failed")],
)  # fmt: skip
async def test_failed_immediate_post_is_left_to_the_outbox(sm: Any, error: Exception, status: str) -> None:
    clock = ManualClock(NOW)
    deliver = deliver_through(sm, Poster(error), clock)
    outbox = Outbox(sm, clock=clock)
    assert await post_digest_once(sources(sm), outbox, deliver, day=DAY, tz=TZ, channel=CHANNEL, clock=clock)
    async with sm() as s:
        row = (await s.execute(select(OutboxRow))).scalar_one()
    assert row.status == status and row.lease_until is None
    if status == "pending":
        assert row.next_attempt_at == NOW + timedelta(seconds=12)


async def test_queued_digest_is_delivered_by_the_outbox_through_slack(
    sm: Any, slack_api: FakeSlackApi
) -> None:
    clock = ManualClock(NOW)
    outbox = Outbox(sm, clock=clock)
    await post_digest_once(sources(sm), outbox, day=DAY, tz=TZ, channel=CHANNEL, clock=clock)
    slack = SlackSender(client=make_web_client("xoxb-test", slack_api.base_url))
    sender = OutboxSender(
        outbox=outbox,
        adapters={"slack": slack},
        settings=PipelineSettings(),
        metrics=Metrics(),
        notifier=Notifier(),
    )
    assert await sender.run_once() == 1
    [call] = slack_api.calls_to("chat.postMessage")
    assert call.args["channel"] == CHANNEL and "thread_ts" not in call.args
    assert call.args["blocks"][0]["type"] == "header"
    assert "Orders: 3" in call.args["text"]
    async with sm() as s:
        row = (await s.execute(select(OutboxRow))).scalar_one()
    assert (row.status, row.platform_message_id) == ("sent", slack_api.messages[CHANNEL][0]["ts"])


async def test_scheduled_run_reports_yesterday_and_wakes_the_sender(sm: Any) -> None:
    woken: list[bool] = []
    settings = SlackDigestSettings(timezone=TZ, channel=CHANNEL)
    clock = ManualClock(NOW)
    outbox = Outbox(sm, clock=clock)
    assert await run_scheduled_digest(
        sources(sm), outbox, settings=settings, clock=clock, wake=lambda: woken.append(True)
    )
    assert not await run_scheduled_digest(
        sources(sm), outbox, settings=settings, clock=clock, wake=lambda: woken.append(True)
    )
    assert woken == [True]
    async with sm() as s:
        assert (await s.execute(select(JobRunRow.period_key))).scalar_one() == DAY.isoformat()


async def test_schedule_digest_uses_the_cron_in_the_digest_timezone() -> None:
    scheduler = AsyncIOScheduler(timezone="UTC")
    settings = SlackDigestSettings(cron="30 8 * * mon-fri", timezone=TZ, channel=CHANNEL)
    unused: Any = object()
    job = schedule_digest(scheduler, sources=unused, outbox=unused, settings=settings, clock=ManualClock(NOW))
    assert job is not None
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    fire = job.trigger.get_next_fire_time(None, saturday)
    assert fire.astimezone(UTC) == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)  # Monday 08:30 Berlin
    no_channel = SlackDigestSettings()
    assert (
        schedule_digest(scheduler, sources=unused, outbox=unused, settings=no_channel, clock=ManualClock(NOW))
        is None
    )


def test_cli_digest_now_posts_once_per_day(
    tmp_path: Path, slack_api: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import app
    from bot.storage.db import make_engine
    from bot.storage.migrate import upgrade

    db_url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def prepare() -> None:
        eng = make_engine(db_url)
        await upgrade(eng)
        await seed(make_sessionmaker(eng))
        await eng.dispose()

    asyncio.run(prepare())
    config_path = tmp_path / "config.yaml"
    config_path.write_text(
        yaml.safe_dump(
            {"slack": {"api_base_url": slack_api.base_url, "digest": {"timezone": TZ, "channel": CHANNEL}}}
        )
    )
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli")
    runner = CliRunner()
    args = ["digest", "--now", "--day", DAY.isoformat(), "--config", str(config_path)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "posted" in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "already posted" in second.output
    [call] = slack_api.calls_to("chat.postMessage")
    assert call.token == "xoxb-cli" and call.args["channel"] == CHANNEL
    preview = runner.invoke(app, ["digest", "--day", DAY.isoformat(), "--config", str(config_path)])
    assert preview.exit_code == 0 and "Orders: 3" in preview.output
    assert len(slack_api.calls_to("chat.postMessage")) == 1


async def test_the_digest_reports_what_support_did(engine: Any) -> None:
    sm = make_sessionmaker(engine)
    async with sm.begin() as s:

        def handled(n: int, claim_minutes: int, rating: int | None, breached: bool) -> EscalationRow:
            opened = utc(DAY, 9 + n)
            return EscalationRow(
                conversation_key=f"telegram:{n}",
                reason="user_request",
                status="resolved",
                created_at=opened,
                updated_at=opened,
                claim_due_at=opened + timedelta(minutes=15),
                resolve_due_at=opened + timedelta(hours=4),
                assigned_at=opened + timedelta(minutes=claim_minutes),
                resolved_at=opened + timedelta(hours=1),
                breached_at=opened + timedelta(hours=4) if breached else None,
                csat_rating=rating,
            )

        s.add_all([handled(0, 10, 4, False), handled(1, 20, 5, True), handled(2, 40, None, False)])
    digest = await build_digest(sources(sm), day=DAY, tz=TZ, now=NOW)
    support = digest.figures.support
    assert (support.opened, support.resolved, support.median_minutes_to_claim) == (3, 3, 20.0)
    assert (support.sla_breaches, support.csat_average, support.csat_count) == (1, 4.5, 2)
    assert (
        "Support: 3 opened, 3 resolved, median 20 min to claim, 1 SLA breaches, CSAT 4.5/5 (2)" in digest.text
    )


async def test_the_digest_shows_revenue_per_currency_and_never_their_sum(sm: Any) -> None:
    digest = await build_digest(sources(sm), day=DAY, tz=TZ, now=NOW)
    assert "USD 350.50" in digest.text and "EUR 30.00" in digest.text
    assert "380.50" not in digest.text  # USD 350.50 and EUR 30.00 are never added together

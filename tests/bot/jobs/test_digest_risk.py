"""The daily digest counts the requests to change bank details (dialogue.risk), on both databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.jobs.digest import build_digest
from bot.storage.db import make_sessionmaker
from bot.storage.tables import EscalationRow
from tests.bot.jobs.test_digest import DAY, NOW, TZ, sources, utc

RISK = {"code": "risk_bank_details", "detail": '"please update our bank account"'}
ASKED = {"code": "user_request", "detail": "/human"}


async def test_the_digest_counts_bank_detail_change_requests(engine: Any) -> None:
    sm = make_sessionmaker(engine)
    async with sm.begin() as s:
        for n, (reasons, day) in enumerate(
            [([RISK], DAY), ([ASKED, RISK], DAY), ([ASKED], DAY), ([RISK], DAY - timedelta(days=1))]
        ):
            at = utc(day, 10)
            s.add(EscalationRow(conversation_key=f"telegram:{n}", reason="", reasons=reasons,
                                status="pending", priority="high", created_at=at, updated_at=at,
                                claim_due_at=at, resolve_due_at=at))  # fmt: skip
    digest = await build_digest(sources(sm), day=DAY, tz=TZ, now=NOW)
    assert digest.figures.bank_detail_requests == 2
    assert "Risk: 2 asked to change bank details" in digest.text
    assert ("Risk", "2 asked to change bank details (call back before any change)") in digest.card.fields
    quiet = await build_digest(sources(sm), day=DAY - timedelta(days=5), tz=TZ, now=NOW)
    assert quiet.figures.bank_detail_requests == 0 and "Risk" not in quiet.text

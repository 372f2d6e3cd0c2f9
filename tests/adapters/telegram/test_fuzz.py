"""Property-based fuzzing of the webhook: with the right secret, every body is acknowledged (200)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.adapters.telegram.support import Harness
from tests.adapters.test_fuzz import FUZZ, _dumps, telegram_bodies


@FUZZ
@given(body=telegram_bodies | st.binary(max_size=200))
async def test_telegram_webhook_always_acknowledges(quick_harness: Harness, body: Any) -> None:
    raw = body if isinstance(body, bytes) else _dumps(body)
    response = await quick_harness.post(None, raw=raw)
    assert response.status_code == 200

"""Supplier account linking through the whole pipeline: one-time codes, expiry, scoping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.conftest import MakeRuntime


async def say(runtime: Any, sender: str, text: str, supplier_id: str | None = None) -> list[str]:
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        r = await client.post(
            "/web/messages", json={"sender": sender, "text": text, "supplier_id": supplier_id}
        )
    assert r.status_code == 200, r.text
    return [x["text"] for x in r.json()["replies"]]


async def test_code_links_once_and_expires(make_runtime: MakeRuntime, clock: Any) -> None:
    runtime = await make_runtime(overrides={"web": {"trust_supplier_id": False}}, use_clock=True)
    code, _ = await runtime.accounts.invite("SUP-001", timedelta(hours=24))
    assert await say(runtime, "ann", "where is PO-1001?", supplier_id="SUP-002") != []
    assert await runtime.accounts.linked_supplier("web", "ann") is None  # supplier_id not trusted
    assert await say(runtime, "ann", f"/start {code}") == ["link_success: supplier_name=Sunrise Textiles"]
    assert await runtime.accounts.linked_supplier("web", "ann") == "SUP-001"
    assert await say(runtime, "bob", f"/start {code}") == ["link_invalid_code"]  # works once
    assert await say(runtime, "ann", f"/start {code}") == ["link_already: supplier_name=Sunrise Textiles"]
    late, _ = await runtime.accounts.invite("SUP-002", timedelta(hours=24))
    clock.advance(hours=25)
    assert await say(runtime, "carl", late) == ["link_invalid_code"]  # sending the bare code, expired
    assert await runtime.accounts.linked_supplier("web", "carl") is None


async def test_sending_the_bare_code_links(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(overrides={"web": {"trust_supplier_id": False}})
    code, _ = await runtime.accounts.invite("SUP-002", timedelta(hours=1))
    assert await say(runtime, "dora", code) == ["link_success: supplier_name=Huaqiang Electronics"]
    assert await runtime.accounts.linked_supplier("web", "dora") == "SUP-002"


def test_link_codes_are_always_recognizable_when_sent_bare() -> None:
    from bot.storage.accounts import new_link_code
    from dialogue.manager import _LINK_CODE

    assert all(_LINK_CODE.fullmatch(new_link_code()) for _ in range(2000))

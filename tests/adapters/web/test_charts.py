"""A reply's chart in the web chat: an image the page loads from /web/files/<id>, kept until retention."""

from __future__ import annotations

from typing import Any

import httpx

from dialogue.actions.registry import default_actions
from tests.conftest import MakeRuntime

PNG = b"\x89PNG\r\n\x1a\n"


async def test_the_web_chat_shows_the_chart_inline(make_runtime: MakeRuntime) -> None:
    runtime = await make_runtime(actions=default_actions(embedder=None))
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        body = {"sender": "demo", "text": "how are the market trends this month?", "supplier_id": None}
        r = await client.post("/web/messages", json=body)
        assert r.status_code == 200, r.text
        [reply] = r.json()["replies"]
        [image] = reply["images"]
        assert reply["files"] == [] and image["alt"]
        chart = await client.get(image["url"])
        assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
        assert chart.content.startswith(PNG)
        assert (await client.get("/web/files/not-a-file")).status_code == 404
        remote = httpx.ASGITransport(app=runtime.asgi, client=("203.0.113.9", 1))
        async with httpx.AsyncClient(transport=remote, base_url="http://127.0.0.1") as outsider:
            assert (await outsider.get(image["url"])).status_code == 403  # local only, like the page


async def test_retention_deletes_old_charts(make_runtime: MakeRuntime, clock: Any) -> None:
    from bot.jobs.maintenance import apply_retention

    runtime = await make_runtime(actions=default_actions(embedder=None), use_clock=True)
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        body = {"sender": "demo", "text": "forecast AB-1020 next month", "supplier_id": None}
        url = (await client.post("/web/messages", json=body)).json()["replies"][0]["images"][0]["url"]
        assert (await apply_retention(runtime.store.sessionmaker, clock=clock, days=30)) == 0
        assert (await client.get(url)).status_code == 200
        clock.advance(days=31)
        assert (await apply_retention(runtime.store.sessionmaker, clock=clock, days=30)) >= 1
        assert (await client.get(url)).status_code == 404

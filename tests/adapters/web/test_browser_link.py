"""Remote mode in a real browser: an unlinked supplier links with a one-time code, then asks about an order.

Chromium reaches the bot as `chat.example.test` (its host resolver maps the name to 127.0.0.1), so
the server sees what a remote visitor sends: a Host that is not a loopback name. The page gets a signed
session cookie, shows no supplier picker, and answers supplier questions only after the code links the
session. Screenshots are left in var/screenshots/ (or $OPSBOT_SCREENS).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from dialogue.actions.registry import default_actions
from tests.adapters.web.test_browser import CHROMIUM, FLAGS, Tabs
from tests.conftest import MakeRuntime
from tests.fakes.servers import serve_asgi

REMOTE_NAME = "chat.example.test"
SCREENS = Path(
    os.environ.get("OPSBOT_SCREENS", str(Path(__file__).resolve().parents[3] / "var" / "screenshots"))
)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is a dev dependency")
expect = playwright_api.expect


@pytest.fixture
def db_kind() -> str:
    return "sqlite"  # test_security.py checks the same rules on both databases


@pytest.fixture
async def remote_browser() -> AsyncIterator[Any]:
    rules = f"--host-resolver-rules=MAP {REMOTE_NAME} 127.0.0.1"
    async with playwright_api.async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=CHROMIUM, args=[*FLAGS, rules, "--no-proxy-server"], headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def shot(page: Any, name: str) -> None:
    await asyncio.to_thread(SCREENS.mkdir, parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / name))


async def send(chat: Any, text: str) -> None:
    box = chat.locator("#text")  # the composer (its label follows the page's language)
    await box.fill(text)
    await box.press("Enter")


async def test_an_unlinked_supplier_links_with_a_code_then_asks_about_an_order(
    make_runtime: MakeRuntime, remote_browser: Any
) -> None:
    runtime = await make_runtime(
        overrides={"web": {"allow_remote": True, "trust_supplier_id": False}},
        env={"WEB_SESSION_SECRET": "browser-test-" + "s" * 32},
        actions=default_actions(embedder=None),
    )
    code, _ = await runtime.accounts.invite("SUP-001", timedelta(hours=24))
    async with serve_asgi(runtime.asgi) as base_url:
        port = urlsplit(base_url).port
        context = await remote_browser.new_context(viewport={"width": 1000, "height": 720})
        tabs = Tabs(context, f"http://{REMOTE_NAME}:{port}")
        try:
            chat = await tabs.open("/")
            [cookie] = await context.cookies()
            assert cookie["name"] == "opsbot_session" and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
            await expect(chat.locator("#supplier-label")).to_be_hidden()  # no picker off this machine
            await shot(chat, "remote-1-new-visitor.png")

            await send(chat, "where is PO-1001?")
            await expect(chat.locator(".msg.bot").last).to_contain_text("link_required")
            await shot(chat, "remote-2-unlinked-asks.png")

            await send(chat, f"/start {code}")
            await expect(chat.locator(".msg.bot").last).to_contain_text("link_success")
            await expect(chat.locator(".msg.bot").last).to_contain_text("Sunrise Textiles")
            await shot(chat, "remote-3-linked.png")

            await send(chat, "where is PO-1001?")
            await expect(chat.locator(".msg.bot").last).to_contain_text("PO-1001")
            await expect(chat.locator(".msg.bot").last).to_contain_text("DHL Express")
            await shot(chat, "remote-4-order-answered.png")

            await send(chat, "/logout")
            await expect(chat.locator(".msg.bot").last).to_contain_text("signed out")
            await send(chat, "where is PO-1001?")
            await expect(chat.locator(".msg.bot").last).to_contain_text("link_required")
            await shot(chat, "remote-5-logged-out.png")
        finally:
            await context.close()
    assert tabs.errors == []

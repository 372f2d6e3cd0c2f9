"""A handoff in a real browser: the supplier in the web chat, an agent in the console, two tabs of Chromium.

Debian's `chromium` is driven by Playwright for Python (`executable_path`; nothing downloads a browser).
The bot is the real application (keyword NLU, demo data) served on a port of 127.0.0.1. The test fails
on any error in either page's console, and leaves screenshots in var/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.web.conftest import console_app
from tests.fakes.telegram_api import serve_asgi

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
DATA_DIR = Path(__file__).resolve().parents[3] / "dialogue" / "data"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run installs it)",
)
playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is a dev dependency")
expect = playwright_api.expect
expect.set_options(timeout=15_000)  # the pages poll every 1 to 2 s; a busy CI machine may be slower


@pytest.fixture
def db_kind() -> str:
    return "sqlite"  # the browser adds nothing the HTTP flow test does not check on PostgreSQL


def cjk_fontconfig(folder: Path) -> dict[str, str]:
    """An environment whose fontconfig also knows the CJK font the charts ship with (the PyPI package
    `manimgx-fonts-cjk`), so screenshots of Chinese pages show Chinese where the machine has no CJK
    font of its own. The page asserts nothing about fonts; this is for the eyes."""
    from dialogue.analytics.charts import CJK_FONT_PACKAGE

    try:
        fonts = Path(str(resources.files(CJK_FONT_PACKAGE)))
    except ModuleNotFoundError:
        return {}
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return {"FONTCONFIG_FILE": str(conf)}


@pytest.fixture
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    env = {**os.environ, **cjk_fontconfig(tmp_path_factory.mktemp("fonts"))}
    async with playwright_api.async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True, env=env)
        try:
            yield chromium
        finally:
            await chromium.close()


class Tabs:
    """The two tabs, and every error either page's console shows."""

    def __init__(self, context: Any, base_url: str) -> None:
        self.context, self.base_url = context, base_url
        self.errors: list[str] = []

    async def open(self, path: str) -> Any:
        page = await self.context.new_page()
        page.on(
            "console", lambda msg: self.errors.append(f"{path}: {msg.text}") if msg.type == "error" else None
        )
        page.on("pageerror", lambda exc: self.errors.append(f"{path}: {exc}"))
        await page.goto(self.base_url + path)
        return page


async def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / name))


async def test_a_supplier_and_an_agent_in_two_tabs(web_runtime: Any, browser: Any) -> None:
    async with serve_asgi(console_app(web_runtime)) as base_url:
        context = await browser.new_context(viewport={"width": 1180, "height": 760})
        tabs = Tabs(context, base_url)
        try:
            await handoff_in_two_tabs(tabs)
        finally:
            await context.close()  # before the server stops, so no poll fails
    assert tabs.errors == []


async def handoff_in_two_tabs(tabs: Tabs) -> None:
    chat = await tabs.open("/")
    await expect(chat.locator("#supplier")).to_have_value("SUP-001")  # the demo suppliers' picker
    await expect(chat.locator(".chip")).to_have_count(6)
    await shot(chat, "chat-welcome.png")

    # The supplier asks for a person: a chip sends the question, the page says a person will reply.
    await chat.get_by_role("button", name="Can I talk to a real person?").click()
    await expect(chat.locator(".msg.notice").last).to_contain_text("escalated")  # the handoff notice
    await expect(chat.locator("#banner")).to_contain_text("A person will reply here")

    # The agent names themselves once, sees the escalation appear with its countdown, and claims it.
    console = await tabs.open("/agent")
    await console.get_by_label("Your name").fill("Ann")
    await console.get_by_role("button", name="Start").click()
    row = console.locator(".row", has_text="Sunrise Textiles (SUP-001)")
    await expect(row).to_contain_text("asked for a person")
    await expect(row.locator(".countdown")).to_contain_text("claim within")
    await row.click()
    await expect(console.locator(".line.supplier")).to_contain_text("Can I talk to a real person?")
    await console.get_by_role("button", name="Claim", exact=True).click()
    await expect(console.locator("#sla")).to_contain_text("held by Ann")
    await expect(chat.locator(".msg.notice").last).to_contain_text("Ann from our team has taken over")
    await expect(chat.locator("#banner")).to_contain_text("You are chatting with Ann")

    # The reply arrives in the supplier's tab; the note does not (a later reply does, so it had its chance).
    message = console.get_by_label("Message")
    await message.fill("Hello! PO-1001 left our warehouse **today**.")
    await console.get_by_role("button", name="Send to supplier").click()
    await expect(chat.locator(".msg.agent").last).to_contain_text("PO-1001 left our warehouse today.")
    await expect(chat.locator(".msg.agent strong")).to_have_text("today")
    await message.fill("Ask DHL for the proof of delivery")
    await console.get_by_role("button", name="Add internal note").click()
    await expect(console.locator(".line.note")).to_contain_text("Ask DHL for the proof of delivery")
    await message.fill("Anything else I can do for you?")
    await console.get_by_role("button", name="Send to supplier").click()
    await expect(chat.locator(".msg.agent").last).to_contain_text("Anything else I can do for you?")
    await expect(chat.locator("#log")).not_to_contain_text("DHL")
    await shot(console, "console-handoff.png")
    await shot(chat, "chat-handoff.png")

    # Resolved: the supplier is told, rates the conversation, and the bot answers again.
    await console.get_by_role("button", name="Resolve", exact=True).click()
    await expect(chat.locator(".msg.notice", has_text="has closed this conversation")).to_have_count(1)
    await expect(chat.locator("#banner")).to_be_hidden()
    await chat.locator(".msg .buttons").last.get_by_role("button", name="5").click()
    await expect(chat.locator(".msg.notice").last).to_contain_text("Thank you for rating us 5/5")
    await chat.get_by_label("Your message").fill("where is PO-1001?")
    await chat.get_by_label("Your message").press("Enter")
    await expect(chat.locator(".msg.bot").last).to_contain_text("DHL Express")
    await shot(chat, "chat-after-handoff.png")

    await expect(console.locator(".row")).to_have_count(0)
    await expect(console.locator("#transcript")).to_contain_text("The supplier rated the conversation 5/5")
    await shot(console, "console-resolved.png")


@pytest.fixture
async def worded_runtime(make_runtime: Any) -> Any:
    """The whole bot with the real reply templates (no reply model): replies read as users see them."""
    from dialogue.actions.registry import default_actions
    from dialogue.nlg.renderer import build_renderer

    return await make_runtime(
        overrides={"pipeline": {"poll_interval_seconds": 0.05, "send_backoff_base_seconds": 0.05}},
        actions=default_actions(embedder=None),
        renderer=build_renderer(data_dir=DATA_DIR, model=None),
    )


async def test_a_chinese_browser_and_a_chinese_conversation(worded_runtime: Any, browser: Any) -> None:
    """The page speaks the browser's language before the first reply, then the conversation's; the
    example questions fit the role; a table reply shows its rows once."""
    async with serve_asgi(console_app(worded_runtime)) as base_url:
        context = await browser.new_context(viewport={"width": 1180, "height": 860}, locale="zh-CN")
        tabs = Tabs(context, base_url)
        try:
            chat = await tabs.open("/")
            await expect(chat.locator("#supplier")).to_have_value("SUP-001")
            await expect(chat.locator("html")).to_have_attribute("lang", "zh-CN")
            await expect(chat.locator(".chip")).to_have_count(6)
            await expect(chat.locator(".chip").first).to_have_text("PO-1001 到哪了？")
            await expect(chat.locator("#text")).to_have_attribute(
                "placeholder", "请输入问题，例如：PO-1001 到哪了？"
            )
            await expect(chat.locator(".composer button")).to_have_text("发送")
            await expect(chat.locator("#welcome")).to_contain_text("供应商的智能助手")
            await shot(chat, "chat-zh-welcome.png")

            # A supplier's open invoices: the sentence, then the table; the rows are not in the text too.
            await chat.get_by_role("button", name="我还有哪些未付发票？").click()
            reply = chat.locator(".msg.bot").last
            await expect(reply).to_contain_text("张未结发票")
            await expect(reply.locator("th").first).to_have_text("发票")
            ids = await reply.locator("tr td:first-child").all_inner_texts()
            assert ids and all(i.startswith("INV-") for i in ids)
            shown = await reply.inner_text()
            assert all(shown.count(i) == 1 for i in ids), shown  # each row once: in the table only
            await shot(chat, "chat-zh-invoices.png")

            # No supplier: a sales rep's questions, still in Chinese.
            await chat.locator("#supplier").select_option("")
            await expect(chat.locator(".chip").first).to_have_text("查一下 ACME Corp 客户")
            await expect(chat.locator(".chip")).to_have_count(6)
            await expect(chat.locator("#text")).to_have_attribute(
                "placeholder", "请输入问题，例如：上周的销售汇总"
            )

            # The conversation turns English: so does the page (and its chips, for the same role).
            await chat.get_by_label("您的消息").fill("sales summary for last week")
            await chat.get_by_label("您的消息").press("Enter")
            await expect(chat.locator(".msg.bot").last).to_contain_text("Sales summary for last week")
            await expect(chat.locator(".chip").first).to_have_text("Tell me about ACME Corp")
            await expect(chat.locator("html")).to_have_attribute("lang", "en")

            # And back to Chinese; asking for a person shows the Chinese banner.
            await chat.locator("#supplier").select_option("SUP-001")
            await chat.get_by_label("Your message").fill("我想找人工客服")
            await chat.get_by_label("Your message").press("Enter")
            await expect(chat.locator("#banner")).to_contain_text("客服同事很快会在这里回复您")
            await expect(chat.locator(".chip").first).to_have_text("PO-1001 到哪了？")
            await expect(chat.locator("#text")).to_have_attribute(
                "placeholder", "请输入问题，例如：PO-1001 到哪了？"
            )
            await shot(chat, "chat-zh-handoff.png")
        finally:
            await context.close()
    assert tabs.errors == []

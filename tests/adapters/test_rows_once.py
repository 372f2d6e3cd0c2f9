"""No reply shows the same rows twice: every outcome that carries a table, on every platform.

The reply's text (the outcome's template, rendered as the bot renders it without a model) holds only
the sentences around the rows; the rows come once, as a table where the platform shows one (the web
chat's HTML table, a Slack table block, a Telegram <pre> block) or as a list where it does not (a
Slack notification, a table too wide for a phone).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest

from adapters.slack.blocks import build_blocks, fallback_text
from adapters.telegram.html import render_parts
from adapters.web.wire import reply_json
from dialogue.actions.base import Reply
from dialogue.messages import ConversationKey, OutgoingMessage, Platform
from dialogue.nlg.renderer import NlgRenderer, build_renderer
from tests.dialogue.actions.sales.capture import capture
from tests.dialogue.actions.sales.chat import sales_chat
from tests.dialogue.nlg.conftest import DATA_DIR
from tests.fakes.conversation import Conversation


@dataclass(frozen=True, slots=True)
class Asked:
    intent: str
    outcome: str
    text: str
    chat: Callable[[], Conversation]


def history() -> Conversation:
    return sales_chat(history=True)


ASKED = [
    Asked("payment_status", "invoice_list", "which invoices are still open?", Conversation),
    Asked("payment_status", "invoice_list", "我的未付发票", Conversation),
    Asked("inventory_query", "stock_table", "show my inventory", Conversation),
    Asked("inventory_query", "stock_table", "我的库存", Conversation),
    Asked("customer_lookup", "customer_profile", "tell me about ACME Corp", sales_chat),
    Asked("customer_lookup", "customer_profile", "查一下 Globex 客户", sales_chat),
    Asked("sales_summary", "sales_summary", "sales last month", sales_chat),
    Asked("sales_summary", "sales_summary", "上个月的销售汇总", sales_chat),
    Asked("recommend_products", "recommendations", "what should we pitch to ACME?", sales_chat),
    Asked("recommend_products", "recommendations", "给 ACME 推荐什么产品？", sales_chat),
    Asked("recommend_products", "similar_products", "products similar to AB-1020", sales_chat),
    Asked("market_trends", "market_trends", "how's the market trend for home textiles", history),
    Asked("market_trends", "market_trends", "上个月的市场走势怎么样", history),
    Asked("demand_forecast", "demand_forecast", "how many AB-1020 will we need next month", history),
    Asked("demand_forecast", "demand_forecast", "AB-1020下个月要备多少货", history),
]  # fmt: skip
KEY = ConversationKey(Platform.SLACK, "C1")
_PAREN = re.compile(r"\s*[（(][^()（）]*[)）]$")


@pytest.fixture(scope="module")
def renderer() -> NlgRenderer:
    return build_renderer(data_dir=DATA_DIR, model=None)


async def reply_to(asked: Asked, renderer: NlgRenderer) -> tuple[Reply, OutgoingMessage]:
    """The action's reply, and the message the bot sends for it (as DialogueManager._render builds it)."""
    chat = asked.chat()
    replies = capture(chat, asked.intent)
    said = await chat.one(asked.text)
    [reply] = replies
    assert reply.outcome == asked.outcome and reply.table, said
    rendered = await renderer.render(reply.outcome, reply.facts, language=said.language)
    assert not rendered.used_fallback
    return reply, OutgoingMessage(KEY, rendered.text, table=reply.table)


def restating_lines(text: str, table: Sequence[Sequence[str]], row: Sequence[str]) -> list[str]:
    """The lines of `text` that state the row: its first cell and most of its other cells.

    A line that names a row and one figure of it ("Storage grew fastest (+12%)") reads the table; a line
    with the row's name and two more of its cells (or, of a two-column table, its one value) repeats it.
    """
    name = _PAREN.sub("", row[0])
    others = list(dict.fromkeys(c for c in row[1:] if len(c) > 1 and c not in ("-", "—")))
    needed = min(2, len(others))
    return [
        line
        for line in text.splitlines()
        if name in line and sum(c in line for c in others) >= max(1, needed)
    ]


@pytest.mark.parametrize("asked", ASKED, ids=lambda a: f"{a.outcome}-{a.text[:16]}")
async def test_the_text_carries_no_row_and_each_platform_shows_every_row_once(
    asked: Asked, renderer: NlgRenderer
) -> None:
    reply, message = await reply_to(asked, renderer)
    table = reply.table
    rows = table[1:]
    assert rows and message.text.strip()
    for row in rows:
        assert not restating_lines(message.text, table, row), (message.text, row)

    # the web chat: the text, and the rows once as the page's HTML table
    wire = reply_json(message)
    assert wire["text"] == message.text and wire["table"] == [list(r) for r in table]

    # Telegram: a <pre> table or a list, never both, never neither
    plain = "\n".join(part.plain for part in render_parts(message))
    for row in rows:
        assert len(restating_lines(plain, table, row)) == 1, (plain, row)

    # Slack: one table block with the rows; the notification text lists them once
    blocks = build_blocks(message)
    [table_block] = [b for b in blocks if b["type"] == "table"]
    assert [[cell["text"] for cell in r] for r in table_block["rows"]] == [list(r) for r in table]
    sections = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    notification = fallback_text(message)
    for row in rows:
        assert not restating_lines(sections, table, row), (sections, row)
        assert len(restating_lines(notification, table, row)) == 1, (notification, row)


def test_the_restating_check_catches_the_old_bullet_list() -> None:
    table = (("Invoice", "Amount", "Status", "Date"), ("INV-2002", "USD 4,999.00", "open", "due 2026-12-16"))
    old = "You have 1 open invoices:\n• INV-2002: USD 4,999.00, open, due 2026-12-16"
    assert restating_lines(old, table, table[1]) == [old.splitlines()[1]]
    summary = (("Top sellers", "Revenue"), ("Sunrise Textiles (supplier)", "USD 2,440.00"))
    assert restating_lines("Top suppliers:\n• Sunrise Textiles: USD 2,440.00", summary, summary[1])

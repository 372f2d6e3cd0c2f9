"""Block Kit rendering: cards, tables (wide characters aligned), buttons, and Slack's text limits."""

from __future__ import annotations

from adapters.slack.blocks import build_blocks, fallback_text
from adapters.text import display_width
from dialogue.messages import Button, Card, ConversationKey, OutgoingMessage, Platform
from tests.adapters.slack.support import make_adapter
from tests.fakes.slack_api import SALES, FakeSlackApi

KEY = ConversationKey(Platform.SLACK, SALES)

DIGEST = Card(
    title="Sales digest for Mon 23 Nov",
    fields=(
        ("Orders", "3"),
        ("Revenue", "USD 1,200.00"),
        ("Late orders", "1"),
        ("Escalations", "2 open (1 unclaimed), 0 past SLA"),
    ),
    sections=("Late: PO-1001", "Top questions (12): order status (5), payment status (4)"),
    context=("2026-11-23, Europe/Berlin time",),
)


def test_a_digest_card_is_a_header_fields_sections_and_context() -> None:
    blocks = build_blocks(OutgoingMessage(KEY, "Sales digest (fallback)", card=DIGEST))
    assert [b["type"] for b in blocks] == ["header", "section", "section", "section", "context"]
    assert blocks[0]["text"] == {"type": "plain_text", "text": "Sales digest for Mon 23 Nov"}
    assert blocks[1]["fields"][0] == {"type": "mrkdwn", "text": "*Orders*\n3"}
    assert [f["text"].split("\n")[0] for f in blocks[1]["fields"]] == [
        "*Orders*",
        "*Revenue*",
        "*Late orders*",
        "*Escalations*",
    ]
    assert blocks[2]["text"]["text"] == "Late: PO-1001"
    assert blocks[4]["elements"] == [{"type": "mrkdwn", "text": "2026-11-23, Europe/Berlin time"}]
    assert "fallback" not in str(blocks)  # the text is only the notification fallback


def test_more_than_ten_fields_take_several_sections() -> None:
    card = Card(title="Stock", fields=tuple((f"SKU-{i}", str(i)) for i in range(12)))
    blocks = build_blocks(OutgoingMessage(KEY, "", card=card))
    assert [len(b.get("fields", ())) for b in blocks] == [0, 10, 2]


def test_card_text_is_escaped_and_kept_within_limits() -> None:
    card = Card(
        title="T" * 200,
        fields=(("R&D <team>", "a > b"),),
        sections=("\n\n".join(f"Turn {i}: " + "x" * 900 for i in range(7)),),
    )
    blocks = build_blocks(OutgoingMessage(KEY, "", card=card))
    assert len(blocks[0]["text"]["text"]) == 150
    assert blocks[1]["fields"][0]["text"] == "*R&amp;D &lt;team&gt;*\na &gt; b"
    sections = [b["text"]["text"] for b in blocks[2:]]
    assert len(sections) >= 3 and all(len(text) <= 3000 for text in sections)
    assert sections[1].startswith("Turn ")  # split between paragraphs


def test_card_buttons_follow_the_card() -> None:
    card = Card(title="Escalation #12", fields=(("Supplier", "Sunrise Textiles"),))
    buttons = (Button("Claim", "handoff:claim:12", "primary"), Button("Resolve", "handoff:resolve:12"))
    blocks = build_blocks(OutgoingMessage(KEY, "New escalation", card=card, buttons=buttons))
    assert [b["type"] for b in blocks] == ["header", "section", "actions"]
    assert [e["value"] for e in blocks[2]["elements"]] == ["handoff:claim:12", "handoff:resolve:12"]


def test_fallback_text_of_a_card_without_text() -> None:
    text = fallback_text(OutgoingMessage(KEY, "", card=DIGEST))
    assert text.startswith("Sales digest for Mon 23 Nov\nOrders: 3\nRevenue: USD 1,200.00")
    assert fallback_text(OutgoingMessage(KEY, "New escalation", card=DIGEST)) == "New escalation"


def test_a_table_is_a_table_block_with_number_columns_on_the_right() -> None:
    table = (("客户", "收入"), ("ACME", "USD 1,200.00"), ("华南纺织", "800"))
    [block] = build_blocks(OutgoingMessage(KEY, "Top customers:", table=table))[1:]
    assert block["type"] == "table"
    assert [[cell["text"] for cell in row] for row in block["rows"]] == [list(row) for row in table]
    assert all(cell["type"] == "raw_text" for row in block["rows"] for cell in row)
    assert [c["align"] for c in block["column_settings"]] == ["left", "right"]


def test_the_notification_text_lists_the_rows_once() -> None:
    table = (("Invoice", "Amount", "Status"), ("INV-1", "USD 10.00", "open"), ("INV-2", "USD 5.00", "paid"))
    text = fallback_text(OutgoingMessage(KEY, "You have 2 open invoices:", table=table))
    assert text == (
        "You have 2 open invoices:\n"
        "• INV-1 — Amount: USD 10.00, Status: open\n"
        "• INV-2 — Amount: USD 5.00, Status: paid"
    )


def test_a_table_too_big_for_a_table_block_lines_up_in_a_code_block() -> None:
    table = (("客户", "收入"), ("ACME", "1,200"), ("华南纺织", "800"), *((f"C{n}", "1") for n in range(100)))
    blocks = build_blocks(OutgoingMessage(KEY, "", table=table))
    assert {b["type"] for b in blocks} == {"section"}
    lines = blocks[0]["text"]["text"].removeprefix("```\n").removesuffix("\n```").splitlines()[:4]
    assert lines == ["客户      收入", "--------  -----", "ACME      1,200", "华南纺织  800"]
    assert {
        display_width(line[: line.rindex(cell)])
        for line, cell in zip(lines, ("收入", "-----", "1,200", "800"), strict=True)
    } == {10}


async def test_card_reaches_slack_as_block_kit(slack_api: FakeSlackApi) -> None:
    adapter, _ = make_adapter(slack_api.base_url, per_channel_interval_seconds=0)
    await adapter.send(OutgoingMessage(KEY, "Sales digest for Mon 23 Nov", kind="digest", card=DIGEST))
    [call] = slack_api.calls_to("chat.postMessage")
    assert call.args["blocks"][0]["type"] == "header"
    assert call.args["text"] == "Sales digest for Mon 23 Nov"
    assert "thread_ts" not in call.args

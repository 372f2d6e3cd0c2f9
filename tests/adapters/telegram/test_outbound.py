"""Replies through the fake Bot API: escaping, splitting, keyboards, tables, cards, edits, deletions,
reactions, pacing, and error mapping."""

from __future__ import annotations

import asyncio

import pytest

from adapters.telegram import telegram_pacer
from adapters.text import render_table, utf16_len
from dialogue.errors import PermanentDeliveryError, TransientDeliveryError
from dialogue.messages import Button, Card, OutgoingMessage
from tests.adapters.conftest import PacingTime
from tests.adapters.telegram.support import (
    CHAT,
    Harness,
    MemoryInbox,
    PendingEdits,
    build_adapter,
    key,
    make_settings,
    reply,
)
from tests.fakes.telegram_api import FakeTelegramAPI


async def test_html_is_escaped_and_arrives_intact(harness: Harness) -> None:
    text = 'Total <b>&* 5 < 6 > 4 "quoted" 价格 & more'
    result = await harness.adapter.send(reply(text))
    sent = harness.api.messages_to(CHAT)
    assert len(sent) == 1
    assert sent[0].text == text  # what the supplier sees
    assert sent[0].parse_mode == "HTML"
    assert "&lt;b&gt;&amp;*" in sent[0].html
    assert result.platform_message_id == str(sent[0].message_id)


async def test_long_reply_is_split_at_paragraphs(harness: Harness) -> None:
    paragraphs = [f"Order PO-{i}: " + ("shipped & on time. " * 30).strip() for i in range(20)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 4096 * 2
    result = await harness.adapter.send(reply(text, buttons=(Button("OK", "confirm:yes"),)))
    sent = harness.api.messages_to(CHAT)
    assert len(sent) >= 3
    for part in sent:
        assert utf16_len(part.text) <= 4096
        assert part.text.startswith("Order PO-")  # every part starts at a paragraph
        assert part.text.endswith("on time.")
    assert "\n\n".join(m.text for m in sent) == text
    assert [m.reply_markup is not None for m in sent] == [False] * (len(sent) - 1) + [True]
    assert result.platform_message_id == str(sent[-1].message_id)


async def test_buttons_become_an_inline_keyboard(harness: Harness) -> None:
    buttons = (Button("Yes", "confirm:yes", "primary"), Button("No", "confirm:no", "danger"))
    await harness.adapter.send(reply("Set SKU-1 to 40?", buttons=buttons))
    markup = harness.api.messages_to(CHAT)[0].reply_markup
    assert markup == {
        "inline_keyboard": [
            [{"text": "Yes", "callback_data": "confirm:yes"}, {"text": "No", "callback_data": "confirm:no"}]
        ]
    }


async def test_table_is_a_pre_block(harness: Harness) -> None:
    table = (("Order", "Status"), ("PO-1001", "shipped"), ("PO-<2>", "待发货"))
    await harness.adapter.send(reply("Your open orders:", table=table))
    sent = harness.api.messages_to(CHAT)[0]
    assert sent.html.startswith("Your open orders:\n\n<pre>") and sent.html.endswith("</pre>")
    assert "PO-<2>" in sent.text and "待发货" in sent.text
    assert render_table(table).splitlines()[1].startswith("-------")


async def test_a_table_wider_than_a_phone_is_a_list_of_the_same_rows(harness: Harness) -> None:
    table = (
        ("Invoice", "Amount", "Status", "Date"),
        ("INV-2002", "USD 4,999.00", "payment scheduled", "scheduled 2026-12-03"),
        ("INV-2003", "USD 120.50", "open", "due 2026-12-22"),
    )
    await harness.adapter.send(reply("You have 2 open invoices:", table=table))
    sent = harness.api.messages_to(CHAT)[0]
    assert "<pre>" not in sent.html
    assert sent.text == (
        "You have 2 open invoices:\n"
        "• INV-2002 — Amount: USD 4,999.00, Status: payment scheduled, Date: scheduled 2026-12-03\n"
        "• INV-2003 — Amount: USD 120.50, Status: open, Date: due 2026-12-22"
    )


async def test_reply_to_and_empty_message(harness: Harness) -> None:
    await harness.adapter.send(reply("ok", reply_to="42"))
    params = harness.api.ok_calls("sendMessage")[0].params
    assert params["reply_parameters"]["message_id"] == 42
    with pytest.raises(PermanentDeliveryError):
        await harness.adapter.send(reply("   "))


async def test_429_is_transient_with_retry_after(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(TransientDeliveryError) as caught:
        await harness.adapter.send(reply("hello"))
    assert caught.value.retry_after == 7
    assert len(harness.api.calls("sendMessage")) == 1  # no retry inside send()
    await harness.adapter.send(reply("hello"))
    assert [m.text for m in harness.api.messages_to(CHAT)] == ["hello"]


async def test_403_is_permanent(harness: Harness) -> None:
    harness.api.block_chat(CHAT)
    with pytest.raises(PermanentDeliveryError) as caught:
        await harness.adapter.send(reply("hello"))
    assert caught.value.reason == "forbidden: bot was blocked by the user"
    assert caught.value.permanent
    assert len(harness.api.calls("sendMessage")) == 1


async def test_500_is_transient(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 500)
    with pytest.raises(TransientDeliveryError) as caught:
        await harness.adapter.send(reply("hello"))
    assert caught.value.retry_after is None
    assert len(harness.api.calls("sendMessage")) == 1


async def test_chat_not_found_is_permanent(harness: Harness) -> None:
    harness.api.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    with pytest.raises(PermanentDeliveryError, match="chat not found"):
        await harness.adapter.send(reply("hello"))


async def test_unreachable_api_is_transient() -> None:
    with FakeTelegramAPI.running() as api:
        adapter = build_adapter(api, MemoryInbox(), PendingEdits())
    # the server is gone now
    with pytest.raises(TransientDeliveryError):
        await adapter.send(reply("hello"))


async def test_retry_of_split_reply_sends_no_part_twice(harness: Harness) -> None:
    text = "\n\n".join(f"Part {i} " + "x" * 3000 for i in range(3))
    harness.api.fail_next("sendMessage", 429, retry_after=3, skip=1)
    with pytest.raises(TransientDeliveryError):
        await harness.adapter.send(reply(text))
    result = await harness.adapter.send(reply(text))
    texts = [m.text.split(" ")[0] + m.text.split(" ")[1] for m in harness.api.messages_to(CHAT)]
    assert texts == ["Part0", "Part1", "Part2"]
    assert result.platform_message_id == str(harness.api.messages_to(CHAT)[-1].message_id)


async def test_concurrent_replies_to_one_chat_do_not_interleave(harness: Harness) -> None:
    long_a = "\n\n".join(f"A{i} " + "a" * 3000 for i in range(3))
    long_b = "\n\n".join(f"B{i} " + "b" * 3000 for i in range(3))
    await asyncio.gather(harness.adapter.send(reply(long_a)), harness.adapter.send(reply(long_b)))
    heads = [m.text.split(" ")[0] for m in harness.api.messages_to(CHAT)]
    assert heads == ["A0", "A1", "A2", "B0", "B1", "B2"]


# --- cards, edits, deletions, reactions ---------------------------------------------------------------


async def test_card_is_a_bold_title_fields_paragraphs_and_small_print(harness: Harness) -> None:
    card = Card(
        title="Daily <sales> digest",
        fields=(("Orders", "3"), ("Revenue", "USD 1,200 & more")),
        sections=("Late: PO-1001, PO-1002",),
        context=("2026-11-23, Europe/Berlin time",),
    )
    await harness.adapter.send(reply("Daily sales digest (plain fallback)", card=card))
    [sent] = harness.api.messages_to(CHAT)
    assert sent.html == (
        "<b>Daily &lt;sales&gt; digest</b>\n\n"
        "Orders: 3\nRevenue: USD 1,200 &amp; more\n\n"
        "Late: PO-1001, PO-1002\n\n"
        "<i>2026-11-23, Europe/Berlin time</i>"
    )
    assert "plain fallback" not in sent.text  # the card is the body, the text only its fallback


async def test_long_card_section_is_split_into_messages(harness: Harness) -> None:
    section = "\n\n".join(f"Line {i} " + "x" * 1000 for i in range(6))
    await harness.adapter.send(reply("", card=Card(title="Report", sections=(section,))))
    sent = harness.api.messages_to(CHAT)
    assert len(sent) >= 2 and sent[0].html.startswith("<b>Report</b>")
    assert all(utf16_len(m.text) <= 4096 for m in sent)


async def test_edit_replaces_an_earlier_message(harness: Harness) -> None:
    first = await harness.adapter.send(
        reply("Stock of AB-1020: 40?", buttons=(Button("Yes", "confirm:yes"),))
    )
    result = await harness.adapter.send(
        reply("Stock of AB-1020 set to 40 ✓", edit_of=first.platform_message_id)
    )
    [message] = harness.api.messages_to(CHAT)
    assert message.edits == ["Stock of AB-1020 set to 40 ✓"]
    assert message.reply_markup is None  # the buttons are gone with the edit
    assert result.platform_message_id == first.platform_message_id
    assert len(harness.api.calls("sendMessage")) == 1


async def test_edit_of_a_missing_message_is_permanent(harness: Harness) -> None:
    with pytest.raises(PermanentDeliveryError, match="message to edit not found"):
        await harness.adapter.send(reply("changed", edit_of="424242"))


async def test_delete_removes_an_earlier_message(harness: Harness) -> None:
    sent = await harness.adapter.send(reply("This offer has expired"))
    result = await harness.adapter.send(reply("", delete_of=sent.platform_message_id))
    assert harness.api.messages_to(CHAT) == []
    assert [m.text for m in harness.api.deleted] == ["This offer has expired"]
    assert result.platform_message_id == sent.platform_message_id
    with pytest.raises(PermanentDeliveryError, match="message to delete not found"):
        await harness.adapter.send(reply("", delete_of=sent.platform_message_id))


async def test_reaction_marks_the_suppliers_message(harness: Harness) -> None:
    result = await harness.adapter.send(reply("", reply_to="77", reaction="white_check_mark"))
    assert harness.api.reactions == [(CHAT, 77, "👌")]
    assert result.platform_message_id == "77"
    assert harness.api.calls("sendMessage") == []
    with pytest.raises(PermanentDeliveryError, match="not a message id"):
        await harness.adapter.send(reply("", reaction="eyes"))


async def test_visible_to_means_nothing_in_a_private_chat(harness: Harness) -> None:
    await harness.adapter.send(reply("only for you", visible_to=str(CHAT)))
    assert [m.text for m in harness.api.messages_to(CHAT)] == ["only for you"]


async def test_replies_are_paced_per_chat_not_across_chats(
    telegram_api: FakeTelegramAPI, pacing_time: PacingTime
) -> None:
    settings = make_settings(telegram_api, per_chat_interval_seconds=1.0, global_rate_per_second=30.0)
    pacer = telegram_pacer(settings, sleep=pacing_time.sleep, clock=pacing_time.time)
    adapter = build_adapter(telegram_api, MemoryInbox(), PendingEdits(), pacer=pacer)
    await adapter.start()
    try:
        await adapter.send(reply("first"))
        await adapter.send(OutgoingMessage(key(5002), "another supplier"))
        spacing = 1 / 24  # the overall rate (30 a second, less the headroom), spread evenly
        assert pacing_time.waits == [pytest.approx(spacing, abs=1e-4)]  # not a chat's second
        await adapter.send(reply("second"))
    finally:
        await adapter.stop()
        await adapter.close()
    assert sum(pacing_time.waits) == pytest.approx(1.0, abs=1e-3)  # the same chat: one second apart
    assert [m.text for m in telegram_api.messages_to(CHAT)] == ["first", "second"]


# --- light Markdown -------------------------------------------------------------------------------------


async def test_markdown_reply_is_formatted_natively(harness: Harness) -> None:
    await harness.adapter.send(reply("Your order **PO-1001** ships _Friday_ <b>", format="markdown"))
    [sent] = harness.api.messages_to(CHAT)
    assert sent.html == "Your order <b>PO-1001</b> ships <i>Friday</i> &lt;b&gt;"
    assert sent.text == "Your order PO-1001 ships Friday <b>"


async def test_long_markdown_is_split_without_breaking_tags(harness: Harness) -> None:
    paragraph = "**Note** " + "the carton is _damaged_ on `SKU-1`. " * 40
    await harness.adapter.send(reply("\n\n".join([paragraph] * 8), format="markdown"))
    sent = harness.api.messages_to(CHAT)  # the fake refuses HTML Telegram could not parse
    assert len(sent) >= 3
    assert all(m.html.startswith("<b>Note</b>") and utf16_len(m.text) <= 4096 for m in sent)


async def test_unparseable_html_is_sent_once_more_as_plain_text(harness: Harness) -> None:
    harness.api.fail_next(
        "sendMessage", 400, description="Bad Request: can't parse entities: unsupported start tag"
    )
    await harness.adapter.send(reply("**Done** — see [the docs](https://d.example)", format="markdown"))
    first, second = harness.api.calls("sendMessage")
    assert first.params["parse_mode"] == "HTML" and "parse_mode" not in second.params
    [sent] = harness.api.messages_to(CHAT)
    assert sent.text == "Done — see the docs (https://d.example)"

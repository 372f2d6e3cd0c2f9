"""The Telegram adapter over real HTTP: webhook in, Bot API (fake) out."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from adapters.base import IngestResult
from adapters.telegram import SECRET_HEADER, WEBHOOK_PATH, TelegramAdapter, TelegramSetupError
from adapters.telegram_format import SendLimiter, render_table, split_text, utf16_len
from bot.config import TelegramSettings
from dialogue.errors import PermanentDeliveryError, TransientDeliveryError
from dialogue.messages import Button, ChannelKind, ConversationKey, IncomingMessage, OutgoingMessage, Platform
from tests.fakes.telegram_api import (
    FakeTelegramAPI,
    callback_update,
    document_update,
    edited_update,
    photo_update,
    serve_asgi,
    telegram_api,
    telegram_api_server,
    text_update,
)

__all__ = ["telegram_api", "telegram_api_server"]  # fixtures used by this module


SECRET = "s3cret-Token_for-tests"
CHAT = 5001


@dataclass
class MemoryInbox:
    """In-memory ingest double with the inbox's dedupe rule (unique external id per platform)."""

    stored: dict[str, IncomingMessage] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    stored_at: dict[str, float] = field(default_factory=dict)
    fail_times: int = 0
    hook: Callable[[IncomingMessage], Awaitable[None]] | None = None

    async def __call__(self, message: IncomingMessage) -> IngestResult:
        self.calls.append(message.external_id)
        if self.fail_times > 0:
            self.fail_times -= 1
            raise ConnectionError("database is down")
        duplicate = message.external_id in self.stored
        if not duplicate:
            self.stored[message.external_id] = message
            self.stored_at[message.external_id] = time.monotonic()
        if self.hook is not None:
            await self.hook(message)
        return IngestResult(inbox_id=None if duplicate else len(self.stored), duplicate=duplicate)


@dataclass
class PendingEdits:
    """apply_edit double: message ids still waiting for an answer accept edits."""

    pending: set[str] = field(default_factory=set)
    applied: list[tuple[str, str, str]] = field(default_factory=list)

    async def __call__(self, message_id: str, conversation: str, text: str) -> bool:
        if message_id in self.pending:
            self.applied.append((message_id, conversation, text))
            return True
        return False


def make_settings(api: FakeTelegramAPI, **overrides: Any) -> TelegramSettings:
    values: dict[str, Any] = {
        "api_base_url": api.base_url,
        "file_base_url": api.file_base_url,
        "bot_username": api.bot_username,
        "per_chat_interval_seconds": 0.0,
        "global_rate_per_second": 1000.0,
        "poll_timeout_seconds": 1,
    }
    values.update(overrides)
    return TelegramSettings(**values)


@dataclass
class Harness:
    api: FakeTelegramAPI
    adapter: TelegramAdapter
    inbox: MemoryInbox
    edits: PendingEdits
    client: httpx.AsyncClient

    async def post(
        self, update: Any, *, secret: str | None = SECRET, raw: bytes | None = None
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = raw if raw is not None else json.dumps(update).encode()
        return await self.client.post(WEBHOOK_PATH, content=body, headers=headers)


def build_adapter(
    api: FakeTelegramAPI, inbox: MemoryInbox, edits: PendingEdits, *, mode: str = "webhook", **settings: Any
) -> TelegramAdapter:
    return TelegramAdapter(
        settings=make_settings(api, **settings),
        token=api.token,
        webhook_secret=SECRET,
        ingest=inbox,
        apply_edit=edits,
        mode=mode,
        poll_retry_seconds=0.05,
        drain_timeout_seconds=1.0,
    )


@pytest.fixture
async def harness(telegram_api: FakeTelegramAPI) -> AsyncIterator[Harness]:
    inbox, edits = MemoryInbox(), PendingEdits()
    adapter = build_adapter(telegram_api, inbox, edits)
    await adapter.start()
    from starlette.applications import Starlette

    async with (
        serve_asgi(Starlette(routes=list(adapter.routes()))) as base_url,
        httpx.AsyncClient(base_url=base_url, trust_env=False) as client,
    ):
        yield Harness(telegram_api, adapter, inbox, edits, client)
    await adapter.stop()


def key(chat_id: int = CHAT) -> ConversationKey:
    return ConversationKey(Platform.TELEGRAM, str(chat_id))


# --- webhook: authentication, durability, dedupe -------------------------------------------------


async def test_start_calls_get_me(harness: Harness) -> None:
    assert harness.api.ok_calls("getMe")
    assert harness.adapter.bot.username == harness.api.bot_username


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
async def test_forged_or_missing_secret_is_403_and_stores_nothing(
    harness: Harness, secret: str | None
) -> None:
    response = await harness.post(text_update(1, "hello"), secret=secret)
    assert response.status_code == 403
    assert harness.inbox.calls == []
    assert harness.api.calls("answerCallbackQuery") == []


async def test_forged_callback_is_not_answered(harness: Harness) -> None:
    response = await harness.post(callback_update(2, "confirm:yes"), secret="nope")
    assert response.status_code == 403
    await asyncio.sleep(0.05)
    assert harness.api.calls("answerCallbackQuery") == []


async def test_text_message_is_stored_before_200(harness: Harness) -> None:
    response = await harness.post(text_update(10, "where is PO-1001?", message_id=77))
    assert response.status_code == 200
    message = harness.inbox.stored["10"]
    assert message.platform is Platform.TELEGRAM
    assert message.conversation == key()
    assert message.sender.id == str(CHAT)
    assert message.sender.display_name == "Li Wei"
    assert message.text == "where is PO-1001?"
    assert message.message_id == "77"
    assert message.channel_kind is ChannelKind.PRIVATE
    assert message.timestamp.tzinfo is not None and message.timestamp.year == 2026
    assert message.raw["update_id"] == 10
    assert not message.command and not message.edited


async def test_replayed_update_is_stored_once(harness: Harness) -> None:
    update = text_update(11, "stock SKU-1 is 40")
    first = await harness.post(update)
    second = await harness.post(update)
    assert first.status_code == second.status_code == 200
    assert harness.inbox.calls == ["11", "11"]
    assert list(harness.inbox.stored) == ["11"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[1, 2]",
        b'"text"',
        b'{"message": {"text": "no update id"}}',
        b'{"update_id": "12"}',
        b'{"update_id": 12, "message": {"text": "no chat"}}',
        b"\xff\xfe",
    ],
)
async def test_malformed_body_is_400_never_500(
    harness: Harness, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    response = await harness.post(None, raw=body)
    assert response.status_code == 400
    assert harness.inbox.calls == []
    assert "malformed update" in caplog.text


async def test_storage_failure_is_not_acknowledged(harness: Harness) -> None:
    harness.inbox.fail_times = 1
    response = await harness.post(callback_update(13, "confirm:yes"))
    assert response.status_code == 503  # Telegram redelivers
    await asyncio.sleep(0.05)
    assert harness.api.calls("answerCallbackQuery") == []
    retry = await harness.post(callback_update(13, "confirm:yes"))
    assert retry.status_code == 200
    assert "13" in harness.inbox.stored


async def test_unsupported_update_type_is_acknowledged(harness: Harness) -> None:
    channel = {"id": -1001, "type": "channel", "title": "news"}
    update = {
        "update_id": 14,
        "channel_post": {"message_id": 1, "date": 1_790_000_000, "chat": channel, "text": "hi"},
    }
    response = await harness.post(update)
    assert response.status_code == 200
    assert harness.inbox.calls == []


# --- translation of update types -----------------------------------------------------------------


async def test_group_message_is_ignored(harness: Harness) -> None:
    response = await harness.post(
        text_update(20, "hi all", chat_id=-100200, user_id=5001, chat_type="supergroup")
    )
    assert response.status_code == 200
    assert harness.inbox.calls == []
    response = await harness.post(text_update(21, "hi", chat_id=-300, user_id=5001, chat_type="group"))
    assert response.status_code == 200
    assert harness.inbox.calls == []


async def test_group_message_is_stored_when_groups_are_allowed(telegram_api: FakeTelegramAPI) -> None:
    inbox = MemoryInbox()
    adapter = build_adapter(telegram_api, inbox, PendingEdits(), allow_groups=True)
    from telegram import Update

    from adapters.telegram import translate_update

    update = Update.de_json(
        text_update(22, "hi", chat_id=-100200, user_id=5001, chat_type="supergroup"), None
    )
    translation = translate_update(
        update, allow_groups=True, bot_username="opsbot_test_bot", now=adapter._clock()
    )
    assert translation.message is not None
    assert translation.message.channel_kind is ChannelKind.GROUP
    assert translation.message.conversation.chat_id == "-100200"
    assert translation.message.sender.id == "5001"


async def test_photo_is_stored_as_attachment(harness: Harness) -> None:
    assert (await harness.post(photo_update(30, caption="damaged carton"))).status_code == 200
    assert (await harness.post(photo_update(31))).status_code == 200
    with_caption, bare = harness.inbox.stored["30"], harness.inbox.stored["31"]
    assert len(with_caption.attachments) == 1
    attachment = with_caption.attachments[0]
    assert (attachment.kind, attachment.file_id, attachment.caption) == (
        "photo",
        "large-30",
        "damaged carton",
    )
    assert with_caption.text == "damaged carton"
    assert bare.text == "" and bare.attachments[0].file_id == "large-31"


async def test_document_is_stored_as_attachment(harness: Harness) -> None:
    assert (await harness.post(document_update(32, file_name="inv-77.pdf"))).status_code == 200
    attachment = harness.inbox.stored["32"].attachments[0]
    assert (attachment.kind, attachment.file_id, attachment.file_name, attachment.mime_type) == (
        "document",
        "doc-32",
        "inv-77.pdf",
        "application/pdf",
    )


async def test_sticker_without_text_is_ignored(harness: Harness) -> None:
    update = text_update(33, "x")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "st",
        "file_unique_id": "u",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    assert (await harness.post(update)).status_code == 200
    assert harness.inbox.stored == {}


@pytest.mark.parametrize(
    ("text", "command", "args"),
    [
        ("/start ABC123", "start", "ABC123"),
        ("/start", "start", ""),
        ("/help", "help", ""),
        ("/human please", "human", "please"),
        ("/HELP@opsbot_test_bot", "help", ""),
        ("/help@some_other_bot", "", ""),
        ("hello /help", "", ""),
    ],
)
async def test_commands(harness: Harness, text: str, command: str, args: str) -> None:
    assert (await harness.post(text_update(40, text))).status_code == 200
    message = harness.inbox.stored["40"]
    assert (message.command, message.command_args, message.text) == (command, args, text)


async def test_callback_query_is_stored_then_answered(harness: Harness) -> None:
    update = callback_update(50, "confirm:yes", query_id="q-50", message_id=901)
    assert (await harness.post(update)).status_code == 200
    message = harness.inbox.stored["50"]
    assert (message.callback_data, message.callback_id, message.message_id) == ("confirm:yes", "q-50", "901")
    assert message.conversation == key() and message.sender.id == str(CHAT)
    await harness.api.until(lambda: bool(harness.api.ok_calls("answerCallbackQuery")))
    answer = harness.api.ok_calls("answerCallbackQuery")[0]
    assert answer.params["callback_query_id"] == "q-50"
    assert answer.at >= harness.inbox.stored_at["50"]  # never before the inbox write


async def test_duplicate_callback_is_answered_again(harness: Harness) -> None:
    update = callback_update(51, "csat:5", query_id="q-51")
    await harness.post(update)
    await harness.post(update)
    await harness.api.until(lambda: len(harness.api.calls("answerCallbackQuery")) == 2)
    assert list(harness.inbox.stored) == ["51"]
    assert harness.api.answered_callbacks == ["q-51", "q-51"]


async def test_callback_from_ignored_group_is_answered_not_stored(harness: Harness) -> None:
    await harness.post(
        callback_update(52, "confirm:yes", chat_id=-100200, chat_type="supergroup", query_id="q-52")
    )
    await harness.api.until(lambda: harness.api.answered_callbacks == ["q-52"])
    assert harness.inbox.stored == {}


async def test_failed_callback_answer_is_only_logged(harness: Harness) -> None:
    harness.api.fail_next("answerCallbackQuery", 400, description="Bad Request: query is too old")
    assert (await harness.post(callback_update(53, "confirm:no"))).status_code == 200
    await harness.api.until(lambda: len(harness.api.calls("answerCallbackQuery")) == 1)
    assert "53" in harness.inbox.stored


async def test_edit_of_pending_message_is_applied(harness: Harness) -> None:
    harness.edits.pending.add("60")
    assert (await harness.post(edited_update(61, 60, "PO-1002 not 1001"))).status_code == 200
    assert harness.edits.applied == [("60", "telegram:5001", "PO-1002 not 1001")]
    assert harness.inbox.stored == {}


async def test_edit_of_answered_message_is_a_new_message(harness: Harness) -> None:
    assert (await harness.post(edited_update(62, 60, "actually PO-1003"))).status_code == 200
    message = harness.inbox.stored["62"]
    assert message.edited and message.edited_message_id == "60" and message.message_id == "60"
    assert message.text == "actually PO-1003" and message.external_id == "62"
    assert not message.command


# --- sending ----------------------------------------------------------------------------------------


def reply(text: str, **fields: Any) -> OutgoingMessage:
    return OutgoingMessage(conversation=key(), text=text, **fields)


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


def test_webhook_mode_requires_a_secret() -> None:
    async def ingest(message: IncomingMessage) -> IngestResult:
        return IngestResult(1, False)

    async def apply_edit(message_id: str, conversation: str, text: str) -> bool:
        return False

    with pytest.raises(TelegramSetupError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramAdapter(
            settings=TelegramSettings(),
            token="1:x",
            webhook_secret="",
            ingest=ingest,
            apply_edit=apply_edit,
            mode="webhook",
        )
    with pytest.raises(TelegramSetupError, match="mode"):
        TelegramAdapter(
            settings=TelegramSettings(),
            token="1:x",
            webhook_secret="s",
            ingest=ingest,
            apply_edit=apply_edit,
            mode="auto",
        )


# --- formatting and pacing (pure) -------------------------------------------------------------------


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    assert split_text("short") == ["short"]
    assert split_text("aaaa\n\nbbbb\ncccc", limit=10) == ["aaaa", "bbbb\ncccc"]
    assert split_text("aaaa bbbb\ncccc dddd", limit=10) == ["aaaa bbbb", "cccc dddd"]
    assert split_text("aaaa bbbb cccc", limit=10) == ["aaaa bbbb", "cccc"]
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_split_counts_utf16_units() -> None:
    parts = split_text("😀" * 10, limit=10)
    assert parts == ["😀" * 5, "😀" * 5]
    assert all(utf16_len(p) <= 10 for p in parts)


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


async def test_limiter_paces_per_chat_and_globally() -> None:
    fake = FakeTime()
    limiter = SendLimiter(per_chat_interval=1.0, global_rate=4.0, clock=fake.clock, sleep=fake.sleep)
    await limiter.acquire("a")
    await limiter.acquire("b")  # another chat: only the global gap (0.25 s)
    await limiter.acquire("a")  # same chat: 1 s after its previous message
    assert fake.slept == [0.25, 0.75]


async def test_limiter_busy_chat_does_not_hold_back_others() -> None:
    now = 100.0
    slept: dict[str, list[float]] = {}
    current = ""

    async def sleep(seconds: float) -> None:  # callers arriving at the same instant: the clock stays put
        slept.setdefault(current, []).append(round(seconds, 4))

    limiter = SendLimiter(per_chat_interval=1.0, global_rate=30.0, clock=lambda: now, sleep=sleep)
    for chat in ("a", "a", "a", "b"):
        current = chat
        await limiter.acquire(chat)
    assert slept["a"][0] == 1.0 and slept["a"][2] == 2.0
    assert slept["b"] == [round(3 / 30, 4)]  # only the global gap, not a's queue

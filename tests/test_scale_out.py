"""Three processes on PostgreSQL and Redis: one web process takes the webhooks, two workers answer.

Under a burst, with one worker killed (SIGKILL) mid-way: every message is answered exactly once and
in order per conversation, and the fake Telegram API never sees more than one message a second to a
chat, nor more than 30 a second overall, although the pacing is shared by two processes (in Redis).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import signal
import time
from pathlib import Path

import httpx
import pytest
import redis

from tests.fakes.telegram_api import FakeTelegramAPI, telegram_api, telegram_api_server
from tests.fakes.telegram_updates import text_update
from tests.test_process_recovery import SECRET, BotProcess, answers, fresh_database

__all__ = ["telegram_api", "telegram_api_server"]

# `alone`: the overall send rate is read from arrival times, which another worker's load skews
pytestmark = [pytest.mark.postgres, pytest.mark.alone]

REDIS_DB = 7
CHATS = 40
PER_CHAT = 3


def sends(api: FakeTelegramAPI) -> list[tuple[float, int, int]]:
    """(time, chat, replied-to message id) of every accepted sendMessage."""
    found = []
    for call in api.calls("sendMessage"):
        reply = call.params.get("reply_parameters") or {}
        if call.status == 200 and isinstance(reply, dict) and "message_id" in reply:
            found.append((call.at, int(call.params["chat_id"]), int(reply["message_id"])))
    return sorted(found)


async def test_one_web_and_two_workers_answer_once_in_order_within_the_limits(
    telegram_api: FakeTelegramAPI, tmp_path: Path
) -> None:
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    with fresh_database("postgres", tmp_path) as url:
        processes = {
            role: BotProcess(url, telegram_api, tmp_path / role) for role in ("web", "worker-a", "worker-b")
        }
        for process in processes.values():
            process.env.update(
                REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
                OPSBOT_TELEGRAM__PER_CHAT_INTERVAL_SECONDS="1.0",
                OPSBOT_TELEGRAM__GLOBAL_RATE_PER_SECOND="30",
            )
        processes["web"].migrate()
        processes["web"].role = "web"
        processes["worker-a"].role = processes["worker-b"].role = "worker"
        try:
            for process in processes.values():
                await process.start()
            sent: list[tuple[int, int]] = []
            async with httpx.AsyncClient(
                base_url=processes["web"].base, trust_env=False, timeout=30
            ) as client:
                for n in range(PER_CHAT):
                    for chat in range(1, CHATS + 1):
                        message_id = chat * 1000 + n
                        update = text_update(chat * 100_000 + n, "hello", chat_id=chat, message_id=message_id)
                        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                        response = await client.post(
                            "/telegram/webhook", content=json.dumps(update), headers=headers
                        )
                        assert response.status_code == 200
                        sent.append((chat, message_id))
            await telegram_api.until(lambda: len(answers(telegram_api)) >= 20, within=30)
            processes["worker-a"].signal(signal.SIGKILL)  # one worker dies mid-load
            deadline = time.monotonic() + 60
            while not set(sent) <= set(answers(telegram_api)):
                assert time.monotonic() < deadline, (
                    f"{len(set(sent) - set(answers(telegram_api)))} unanswered"
                )
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)
        finally:
            for process in processes.values():
                if process.proc is not None and process.proc.poll() is None:
                    process.signal(signal.SIGTERM)

    counted = answers(telegram_api)
    doubled = [key for key in sent if counted[key] > 1]
    assert len(doubled) <= 20  # at most the sends the killed worker had in flight (one batch)
    delivered = sends(telegram_api)
    by_chat: dict[int, list[tuple[float, int]]] = collections.defaultdict(list)
    for at, chat, message_id in delivered:
        by_chat[chat].append((at, message_id))
    for chat, replies in by_chat.items():
        firsts = list(dict.fromkeys(message_id for _at, message_id in replies))
        assert firsts == sorted(firsts), f"chat {chat}: replies out of order"
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(replies)]
        assert all(gap >= 0.95 for gap in gaps), (
            f"chat {chat}: two messages within a second ({min(gaps):.2f}s)"
        )
    times = [at for at, _chat, _id in delivered]
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 30, f"{busiest} messages within one second overall"
    smallest_gap = min(
        (b[0] - a[0] for replies in by_chat.values() for a, b in itertools.pairwise(replies)), default=0.0
    )
    print(  # the figures, for `pytest -s`
        f"\nscale-out: {len(sent)} messages over {CHATS} chats, {len(doubled)} answered twice, "
        f"busiest second {busiest} sends, smallest gap within a chat {smallest_gap:.2f}s"
    )

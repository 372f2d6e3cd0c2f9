"""A real process under a burst: killed with SIGKILL, or stopped with SIGTERM, then restarted.

The bot runs as its own OS process (`tests.fakes.process_app`: `opsbot run` with the model doubles) on
SQLite or PostgreSQL, with the Telegram webhook in front and the fake Bot API behind. Every update is
acknowledged only once stored, so whatever the process was doing when it died, each message is
answered after the restart: exactly once, except a send that was in flight at the moment of a kill
(the platforms offer no idempotency key), which may go out twice.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL
from tests.fakes.databases import fresh_postgres_database
from tests.fakes.telegram_api import FakeTelegramAPI, telegram_api, telegram_api_server
from tests.fakes.telegram_updates import text_update

__all__ = ["telegram_api", "telegram_api_server"]

ROOT = Path(__file__).resolve().parent.parent
SECRET = "recovery-secret"
CHATS = 8
PER_CHAT = 5


def _sync_url(url: str) -> str:
    return url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")


@contextlib.contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'process.db'}"
        return
    with fresh_postgres_database(PG_URL, "opsbot_proc") as url:
        yield url


class BotProcess:
    """The bot as an OS process on a fixed port and database."""

    def __init__(self, database_url: str, api: FakeTelegramAPI, tmp_path: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
        self.env.update(
            DATABASE_URL=database_url,
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            OPSBOT_APP__VAR_DIR=str(tmp_path / "var"),
            OPSBOT_TELEGRAM__MODE="webhook",
            OPSBOT_TELEGRAM__API_BASE_URL=api.base_url,
            OPSBOT_TELEGRAM__PER_CHAT_INTERVAL_SECONDS="0",
            OPSBOT_WEB__ENABLED="false",
            OPSBOT_SCHEDULER__ENABLED="false",
            PYTHONDONTWRITEBYTECODE="1",
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self.role = "all"

    def migrate(self) -> None:
        opsbot = str(Path(sys.executable).parent / "opsbot")
        subprocess.run([opsbot, "db", "upgrade"], cwd=ROOT, env=self.env, check=True, capture_output=True)

    def spawn(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.process_app", "--port", str(self.port), "--role", self.role],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def start(self) -> float:
        """Spawn it and wait until it answers; returns the moment it was spawned."""
        spawned = time.monotonic()
        self.spawn()
        assert self.proc is not None
        async with httpx.AsyncClient(trust_env=False) as client:
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.base}/healthz")).status_code == 200:
                        return spawned
                assert self.proc.poll() is None, "the bot process exited at start-up"
                await asyncio.sleep(0.1)
        raise AssertionError("the bot did not become healthy")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def signal(self, sig: int) -> int | None:
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


async def burst(bot: BotProcess) -> list[tuple[int, int]]:
    """CHATS suppliers write PER_CHAT messages each, all acknowledged; returns (chat, message id)."""
    sent = []
    async with httpx.AsyncClient(base_url=bot.base, trust_env=False, timeout=30) as client:

        async def write(chat: int) -> None:
            for n in range(PER_CHAT):
                message_id = chat * 1000 + n
                update = text_update(
                    chat * 100_000 + n, "hello" if n % 2 else "thanks", chat_id=chat, message_id=message_id
                )
                response = await client.post(
                    "/telegram/webhook",
                    content=json.dumps(update),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                assert response.status_code == 200
                sent.append((chat, message_id))

        await asyncio.gather(*(write(chat) for chat in range(1, CHATS + 1)))
    return sent


def answers(api: FakeTelegramAPI) -> collections.Counter[tuple[int, int]]:
    """How many replies each (chat, message id) received."""
    counted: collections.Counter[tuple[int, int]] = collections.Counter()
    for call in api.calls("sendMessage"):
        reply = call.params.get("reply_parameters") or {}
        if call.status == 200 and isinstance(reply, dict) and "message_id" in reply:
            counted[(int(call.params["chat_id"]), int(reply["message_id"]))] += 1
    return counted


def sends_in_flight(database_url: str) -> int:
    engine = create_engine(_sync_url(database_url))
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'sending'")).scalar_one()
    engine.dispose()
    return int(count)


async def all_answered(api: FakeTelegramAPI, sent: list[tuple[int, int]], within: float) -> None:
    deadline = time.monotonic() + within
    while not set(sent) <= set(answers(api)):
        assert time.monotonic() < deadline, f"{len(set(sent) - set(answers(api)))} messages unanswered"
        await asyncio.sleep(0.1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bot(
    request: pytest.FixtureRequest, telegram_api: FakeTelegramAPI, tmp_path: Path
) -> Iterator[BotProcess]:
    with fresh_database(request.param, tmp_path) as url:
        process = BotProcess(url, telegram_api, tmp_path)
        process.migrate()
        yield process
        if process.proc is not None and process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


async def test_kill_9_during_a_burst_loses_nothing_and_recovers_fast(
    bot: BotProcess, telegram_api: FakeTelegramAPI
) -> None:
    await bot.start()
    telegram_api.slow_down("sendMessage", 0.05)  # so that the kill lands mid-burst
    sent = await burst(bot)
    await telegram_api.until(lambda: len(answers(telegram_api)) >= 5, within=20)
    bot.signal(signal.SIGKILL)
    in_flight = sends_in_flight(bot.env["DATABASE_URL"])
    answered_before = len(answers(telegram_api))
    assert answered_before < len(sent), "the burst was over before the kill: nothing was tested"

    await bot.start()
    ready = time.monotonic()  # imports and start-up take seconds on a busy CI machine; not the pipeline's
    await all_answered(telegram_api, sent, within=30)
    recovery = time.monotonic() - ready
    counted = answers(telegram_api)
    doubled = [key for key in sent if counted[key] > 1]
    assert recovery < 15, f"every message answered {recovery:.1f}s after the restarted process was ready"
    assert len(doubled) <= in_flight and all(counted[key] == 2 for key in doubled)


async def test_sigterm_finishes_what_it_holds_and_exits_cleanly(
    bot: BotProcess, telegram_api: FakeTelegramAPI
) -> None:
    await bot.start()
    telegram_api.slow_down("sendMessage", 0.05)
    sent = await burst(bot)
    await telegram_api.until(lambda: len(answers(telegram_api)) >= 5, within=20)
    assert bot.signal(signal.SIGTERM) == 0
    assert sends_in_flight(bot.env["DATABASE_URL"]) == 0  # the sends it had claimed were finished
    await bot.start()
    await all_answered(telegram_api, sent, within=30)
    await asyncio.sleep(0.5)
    assert all(count == 1 for count in answers(telegram_api).values())
    bot.signal(signal.SIGTERM)


def _unused(_: Any) -> None:
    """Keeps the fixtures' imports visible to linters."""

"""The bot as the benchmarks run it: `opsbot run` as its own process, on a fresh database with the demo
data, in webhook mode against the fake Telegram Bot API (tests/fakes). Used by load.py and recovery.py.

`PROJECT` is the checkout whose `opsbot` runs: this one, or another (an earlier commit in a
`git worktree`), run with this checkout's virtualenv and that checkout first on the import path.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.databases import fresh_postgres_database  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402

PG_ADMIN = os.environ.get("OPSBOT_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-webhook-secret"
SUPPLIERS = ("SUP-001", "SUP-002", "SUP-003", "SUP-004", "SUP-005")
PROJECT = ROOT
# Loading the models, warming them and encoding the indexes take a minute on a busy 2-core machine.
READY_SECONDS = int(os.environ.get("OPSBOT_BENCH_READY_SECONDS", "300"))


# --- the system under test ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL database created for this run."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    with fresh_postgres_database(PG_ADMIN, "opsbot_bench") as url:
        yield url


def opsbot_command(*args: str) -> list[str]:
    if PROJECT == ROOT:
        return [str(ROOT / ".venv/bin/opsbot"), *args]
    return [
        sys.executable,
        "-c",
        "import sys; from bot.cli import main; sys.argv[0] = 'opsbot'; main()",
        *args,
    ]


def project_env(env: dict[str, str]) -> dict[str, str]:
    if PROJECT == ROOT:
        return env
    return {**env, "PYTHONPATH": str(PROJECT)}


def opsbot(*args: str, env: dict[str, str]) -> None:
    subprocess.run(opsbot_command(*args), cwd=PROJECT, env=project_env(env), check=True, capture_output=True)


def link_telegram_users(database_url: str, count: int) -> None:
    """Chats 1..count are linked suppliers (as if each had opened their invitation link)."""
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, text

    url = database_url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url)
    with engine.begin() as conn:
        for chat in range(1, count + 1):
            conn.execute(
                text(
                    "INSERT INTO supplier_links (platform, user_id, supplier_id, linked_at) "
                    "VALUES ('telegram', :u, :s, :t)"
                ),
                {"u": str(chat), "s": SUPPLIERS[chat % len(SUPPLIERS)], "t": datetime.now(UTC)},
            )
    engine.dispose()


def bot_env(url: str, api: FakeTelegramAPI, extra_env: dict[str, str]) -> dict[str, str]:
    """The environment of an `opsbot run` on `url`, in webhook mode against the fake Bot API."""
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env.update(
        DATABASE_URL=url,
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        OPSBOT_TELEGRAM__MODE="webhook",
        OPSBOT_TELEGRAM__API_BASE_URL=api.base_url,
        OPSBOT_TELEGRAM__FILE_BASE_URL=api.file_base_url,
        # Telegram allows one message a second per chat; a closed-loop sender that is answered
        # faster than that would be paced, and measure the pacing, not the bot.
        OPSBOT_TELEGRAM__PER_CHAT_INTERVAL_SECONDS="0",
        OPSBOT_TELEGRAM__GLOBAL_RATE_PER_SECOND="1000",
        OPSBOT_APP__LOG_LEVEL="WARNING",
        **extra_env,
    )
    return env


def prepare(url: str, env: dict[str, str], chats: int) -> None:
    """Migrate, seed the demo data and link Telegram chats 1..chats."""
    opsbot("db", "upgrade", env=env)
    opsbot("db", "seed-demo", env=env)
    link_telegram_users(url, chats)


async def start(
    port: int, env: dict[str, str], *, warm: bool = True, role: str = "all"
) -> subprocess.Popen[bytes]:
    """`opsbot run` on `port`, once its /healthz answers 200 (and, with `warm`, says it is warm)."""
    proc = spawn(port, env, role)
    deadline = time.monotonic() + READY_SECONDS
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                health = await client.get("/healthz")
                # ready, and (where the bot says) its start-up warm-up done: measure the steady state
                if health.status_code == 200 and (not warm or health.json().get("warm", True)):
                    return proc
            if proc.poll() is not None:
                tail = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
                raise RuntimeError(f"opsbot exited: {tail}")
            await asyncio.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"opsbot did not become ready within {READY_SECONDS} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.asynccontextmanager
async def running_bot(
    kind: str, api: FakeTelegramAPI, senders: int, extra_env: dict[str, str], *, split: bool = False
) -> AsyncIterator[tuple[str, list[int]]]:
    """`opsbot run` on a fresh database; yields its base URL and process ids (the one that answers
    HTTP first). With `split` (PostgreSQL): a `--role web` process in front of a `--role worker` one."""
    with database(kind) as url:
        env = bot_env(url, api, extra_env)
        prepare(url, env, senders + 1)
        procs: list[subprocess.Popen[bytes]] = []
        try:
            if split:
                procs.append(await start(free_port(), env, role="worker"))
            port = free_port()
            procs.insert(0, await start(port, env, role="web" if split else "all"))
            yield f"http://127.0.0.1:{port}", [proc.pid for proc in procs]
        finally:
            for proc in procs:
                stop(proc)


def spawn(port: int, env: dict[str, str], role: str = "all") -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        # (no --role for "all", the default: the first wave, measured with --project, has no such option)
        opsbot_command("run", "--port", str(port), *(("--role", role) if role != "all" else ())),
        cwd=PROJECT,
        env=project_env(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def post_update(client: httpx.AsyncClient, update: dict[str, Any]) -> float:
    started = time.monotonic()
    response = await client.post(
        "/telegram/webhook", content=json.dumps(update), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    if response.status_code != 200:
        raise RuntimeError(f"webhook answered {response.status_code}")
    return time.monotonic() - started


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cores {model}"


def commit_of(project: Path) -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=project, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or "unknown"

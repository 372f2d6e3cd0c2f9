"""Load through the real HTTP endpoints with the real models: the web chat and the Telegram webhook.

Starts `opsbot run` as a separate process on a fresh database (SQLite file or PostgreSQL database),
with the shipped models and a fake Telegram Bot API (tests/fakes) that timestamps every sendMessage,
then drives it:

- closed loop: N suppliers write at once, each sending its next message when the previous one is
  answered (12 realistic EN/ZH messages each);
- open loop: a fixed offered rate of Telegram updates for a fixed time, whatever the replies do;
- idle: one supplier alone, for the latency nobody waits behind;
- with `--big`, one maximum-size message (4,096 emoji on Telegram) among normal traffic, to see what
  it costs the others.

Reports msgs/s, webhook ack p50/p99, reply latency p50/p99/max (POST -> the fake's sendMessage, or
the web chat's inline answer), and errors; prints one JSON line at the end.

    make bench-load                       # both databases, the figures the README quotes
    python bench/load.py --db sqlite --only closed --senders 32
    python bench/load.py --project /tmp/before    # an earlier commit, checked out with `git worktree add`
    python bench/load.py --only closed --profile /tmp/profile    # where a message's time goes (py-spy)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402
from tests.fakes.telegram_updates import text_update  # noqa: E402

PG_ADMIN = os.environ.get("OPSBOT_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-webhook-secret"
SUPPLIERS = ("SUP-001", "SUP-002", "SUP-003", "SUP-004", "SUP-005")

# Twelve messages a supplier might send in a row, in English and Chinese.
SCRIPTS: dict[str, tuple[str, ...]] = {
    "en": (
        "hi",
        "where is PO-1001?",
        "when will INV-2002 be paid?",
        "how much stock of AB-1020 do we have",
        "what are your payment terms?",
        "my open invoices",
        "where is my order PO-1002",
        "do you accept returns of damaged goods?",
        "stock for KX-550?",
        "thanks",
        "what can you do",
        "bye",
    ),
    "zh": (
        "你好",
        "PO-1001 到哪了？",
        "INV-2002 什么时候付款？",
        "AB-1020 库存多少",
        "你们的付款条件是什么？",
        "我的未付发票",
        "PO-1002 发货了吗",
        "退货政策是什么",
        "KX-550 还有库存吗",
        "谢谢",
        "你能做什么",
        "再见",
    ),
}


@dataclass
class Measured:
    replies: list[float] = field(default_factory=list)  # seconds from POST to the reply
    acks: list[float] = field(default_factory=list)  # seconds from POST to the HTTP answer
    errors: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    def summary(self) -> dict[str, Any]:
        def pct(values: list[float], q: float) -> float | None:
            if not values:
                return None
            ordered = sorted(values)
            return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

        seconds = max(1e-9, self.finished - self.started)
        return {
            "messages": len(self.replies),
            "msgs_per_s": round(len(self.replies) / seconds, 1),
            "reply_ms_p50": pct(self.replies, 0.50),
            "reply_ms_p99": pct(self.replies, 0.99),
            "reply_ms_max": round(1000 * max(self.replies), 1) if self.replies else None,
            "ack_ms_p50": pct(self.acks, 0.50),
            "ack_ms_p99": pct(self.acks, 0.99),
            "errors": len(self.errors),
            "error_samples": self.errors[:3],
        }


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
    from sqlalchemy import create_engine, text

    name = f"opsbot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# The checkout whose `opsbot` is measured (--project): this one, or another (an earlier commit in a
# `git worktree`), run with this checkout's virtualenv and that checkout first on the import path.
PROJECT = ROOT


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


async def start(port: int, env: dict[str, str], *, warm: bool = True) -> subprocess.Popen[bytes]:
    """`opsbot run` on `port`, once its /healthz answers 200 (and, with `warm`, says it is warm)."""
    proc = spawn(port, env)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        for _ in range(1200):
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
    raise RuntimeError("opsbot did not become ready within two minutes")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.asynccontextmanager
async def running_bot(
    kind: str, api: FakeTelegramAPI, senders: int, extra_env: dict[str, str]
) -> AsyncIterator[tuple[str, int]]:
    """`opsbot run` on a fresh database; yields its base URL and process id."""
    with database(kind) as url:
        env = bot_env(url, api, extra_env)
        prepare(url, env, senders + 1)
        port = free_port()
        proc = await start(port, env)
        try:
            yield f"http://127.0.0.1:{port}", proc.pid
        finally:
            stop(proc)


def spawn(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        opsbot_command("run", "--port", str(port)),
        cwd=PROJECT,
        env=project_env(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


# --- drivers ---------------------------------------------------------------------------------


class TelegramReplies:
    """Watches the fake Bot API and tells each waiting sender when its chat got a message."""

    def __init__(self, api: FakeTelegramAPI) -> None:
        self._api = api
        self._seen = 0
        self._waiting: dict[str, list[asyncio.Future[float]]] = {}

    def expect(self, chat: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(str(chat), []).append(future)
        return future

    async def run(self) -> None:
        while True:
            calls = self._api.calls("sendMessage")
            for call in calls[self._seen :]:
                waiting = self._waiting.get(str(call.params.get("chat_id")))
                if waiting:
                    future = waiting.pop(0)
                    if not future.done():
                        future.set_result(call.at)
            self._seen = len(calls)
            await asyncio.sleep(0.005)


async def post_update(client: httpx.AsyncClient, update: dict[str, Any]) -> float:
    started = time.monotonic()
    response = await client.post(
        "/telegram/webhook", content=json.dumps(update), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    if response.status_code != 200:
        raise RuntimeError(f"webhook answered {response.status_code}")
    return time.monotonic() - started


async def closed_loop_web(base: str, senders: int, rounds: int) -> Measured:
    measured = Measured()
    limits = httpx.Limits(max_connections=senders + 4)

    async def supplier(n: int, client: httpx.AsyncClient) -> None:
        script = SCRIPTS["zh" if n % 3 == 0 else "en"]
        for i in range(rounds):
            body = {"sender": f"load-{n}", "text": script[i % len(script)], "supplier_id": SUPPLIERS[n % 5]}
            started = time.monotonic()
            try:
                response = await client.post("/web/messages", json=body)
                if response.status_code != 200 or not response.json().get("replies"):
                    measured.errors.append(f"{response.status_code} {response.text[:100]}")
                    continue
            except httpx.HTTPError as exc:
                measured.errors.append(repr(exc))
                continue
            measured.replies.append(time.monotonic() - started)

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        measured.started = time.monotonic()
        await asyncio.gather(*(supplier(n, client) for n in range(senders)))
        measured.finished = time.monotonic()
    return measured


async def closed_loop_telegram(base: str, api: FakeTelegramAPI, senders: int, rounds: int) -> Measured:
    measured = Measured()
    replies = TelegramReplies(api)
    watcher = asyncio.create_task(replies.run())
    next_id = iter(range(10_000_000, 20_000_000))

    async def supplier(chat: int, client: httpx.AsyncClient) -> None:
        script = SCRIPTS["zh" if chat % 3 == 0 else "en"]
        for i in range(rounds):
            answered = replies.expect(chat)
            started = time.monotonic()
            try:
                measured.acks.append(
                    await post_update(client, text_update(next(next_id), script[i % 12], chat_id=chat))
                )
                at = await asyncio.wait_for(answered, 60)
            except (httpx.HTTPError, RuntimeError, TimeoutError) as exc:
                measured.errors.append(repr(exc))
                continue
            measured.replies.append(at - started)

    async with httpx.AsyncClient(
        base_url=base, timeout=60, limits=httpx.Limits(max_connections=senders + 4)
    ) as client:
        measured.started = time.monotonic()
        await asyncio.gather(*(supplier(chat, client) for chat in range(1, senders + 1)))
        measured.finished = time.monotonic()
    watcher.cancel()
    return measured


async def open_loop_telegram(
    base: str, api: FakeTelegramAPI, rate: float, seconds: float, chats: int
) -> Measured:
    """Offer `rate` updates a second for `seconds`, round-robin over `chats` chats."""
    measured = Measured()
    replies = TelegramReplies(api)
    watcher = asyncio.create_task(replies.run())
    pending: list[asyncio.Task[None]] = []

    async def one(n: int, client: httpx.AsyncClient) -> None:
        chat = 1 + n % chats
        answered = replies.expect(chat)
        started = time.monotonic()
        try:
            text = SCRIPTS["zh" if chat % 3 == 0 else "en"][n % 12]
            measured.acks.append(await post_update(client, text_update(30_000_000 + n, text, chat_id=chat)))
            at = await asyncio.wait_for(answered, 60)
        except (httpx.HTTPError, RuntimeError, TimeoutError) as exc:
            measured.errors.append(repr(exc))
            return
        measured.replies.append(at - started)

    async with httpx.AsyncClient(
        base_url=base, timeout=60, limits=httpx.Limits(max_connections=200)
    ) as client:
        measured.started = time.monotonic()
        total = int(rate * seconds)
        for n in range(total):
            due = measured.started + n / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            pending.append(asyncio.create_task(one(n, client)))
        await asyncio.gather(*pending)
        measured.finished = time.monotonic()
    watcher.cancel()
    return measured


async def idle(base: str, messages: int = 20) -> Measured:
    measured = Measured()
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        measured.started = time.monotonic()
        for i in range(messages):
            started = time.monotonic()
            body = {"sender": "idle", "text": SCRIPTS["en"][i % 12], "supplier_id": "SUP-001"}
            response = await client.post("/web/messages", json=body)
            if response.status_code == 200:
                measured.replies.append(time.monotonic() - started)
            else:
                measured.errors.append(str(response.status_code))
            await asyncio.sleep(0.2)
        measured.finished = time.monotonic()
    return measured


async def head_of_line(base: str, api: FakeTelegramAPI, senders: int) -> Measured:
    """Normal traffic while one maximum-size Telegram message (4,096 emoji) goes through."""
    big = text_update(40_000_000, "😀" * 4096, chat_id=senders + 1)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        traffic = asyncio.create_task(closed_loop_web(base, senders, 4))
        await asyncio.sleep(0.3)
        await post_update(client, big)
        return await traffic


# --- profile --------------------------------------------------------------------------------

# Where a sampled stack's time goes: the first of these found walking from the innermost frame out.
# Time in the encoders' and the reply model's torch calls counts for them, a driver's C call for the
# database, and so on; stacks that match nothing are "other Python" (the dialogue's own logic, asyncio).
PROFILE_PARTS = (
    ("reply model", ("dialogue/nlg/",)),
    ("NLU encoder and classifier", ("sentence_transformers/", "nlu/")),
    ("database", ("sqlalchemy/", "aiosqlite/", "sqlite3", "psycopg", "asyncpg", "bot/storage/")),
    ("HTTP in and out", ("uvicorn/", "starlette/", "fastapi/", "h11/", "httpx/", "httpcore/", "telegram/")),
    ("serialising, logging", ("json/", "logging/", "pydantic")),
)


# Innermost frames of a thread that waits: py-spy counts some waits in C as active.
IDLE_LEAVES = (
    "(selectors.py:",  # the event loop, waiting for I/O
    "Condition.wait (threading.py",  # tqdm's monitor, any Event.wait
    "_worker (concurrent/futures/thread.py:81)",  # a pool thread waiting for work
    "_connection_worker_thread (aiosqlite/core.py:59)",  # aiosqlite's thread waiting for a call
)


def part_of(stack: str) -> str | None:
    """The part a sampled stack's time belongs to; None for a thread that only waits."""
    frames = stack.split(";")
    if any(marker in frames[-1] for marker in IDLE_LEAVES):
        return None
    for frame in reversed(frames):
        for part, markers in PROFILE_PARTS:
            if any(marker in frame for marker in markers):
                return part
    return "other Python (dialogue, asyncio)"


def summarise_profile(folded: Path) -> dict[str, float]:
    """Share of the non-idle samples of every thread, by part (py-spy's raw folded stacks)."""
    totals: dict[str, int] = {}
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        part = part_of(stack)
        if part is not None:
            totals[part] = totals.get(part, 0) + int(count)
    samples = sum(totals.values()) or 1
    return {part: round(100 * n / samples, 1) for part, n in sorted(totals.items(), key=lambda kv: -kv[1])}


@contextlib.contextmanager
def profiled(pid: int, directory: Path | None, name: str) -> Iterator[dict[str, Any]]:
    """With --profile, py-spy samples the bot process (every thread, 100/s) while the block runs."""
    result: dict[str, Any] = {}
    if directory is None:
        yield result
        return
    directory.mkdir(parents=True, exist_ok=True)
    folded = directory / f"{name}.folded"
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    spy = subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--rate", "100", "--format", "raw", "-o", str(folded)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield result
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    if folded.exists():
        result["profile_percent"] = summarise_profile(folded)


# --- main ----------------------------------------------------------------------------------


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cores {model}"


async def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with FakeTelegramAPI.running() as api:
        async with running_bot(kind, api, args.senders, {}) as (base, pid):
            await closed_loop_web(base, 4, 2)  # warm up: models, caches, connections
            if args.only in (None, "idle"):
                results["idle"] = (await idle(base)).summary()
            if args.only in (None, "closed"):
                with profiled(pid, args.profile, f"{kind}-closed_web") as profile:
                    closed = (await closed_loop_web(base, args.senders, args.rounds)).summary()
                results["closed_web"] = {**closed, **profile}
                api.reset()
                results["closed_telegram"] = (
                    await closed_loop_telegram(base, api, args.senders, args.rounds)
                ).summary()
            if args.only in (None, "open"):
                api.reset()
                results["open_telegram"] = (
                    await open_loop_telegram(base, api, args.rate, args.seconds, args.senders)
                ).summary()
            if args.big:
                api.reset()
                results["with_one_max_size_message"] = (await head_of_line(base, api, args.senders)).summary()
    return results


def commit_of(project: Path) -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=project, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or "unknown"


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--only", choices=["idle", "closed", "open"])
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=12, help="messages per sender in the closed loop")
    parser.add_argument("--rate", type=float, default=40.0, help="offered updates/s in the open loop")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of the open loop")
    parser.add_argument("--big", action="store_true", help="also measure one maximum-size message's cost")
    parser.add_argument(
        "--project",
        type=Path,
        default=ROOT,
        help="the checkout to measure (default this one), e.g. a `git worktree` of an earlier commit "
        "with its models trained (`opsbot train all` there)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample the bot with py-spy (pip install py-spy) during the closed web loop; "
        "writes DIR/<db>-closed_web.folded and adds the share of time by part to the report",
    )
    args = parser.parse_args()
    global PROJECT
    PROJECT = args.project.resolve()
    print(f"machine: {machine()}", flush=True)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    report: dict[str, Any] = {
        "machine": machine(),
        "project": str(PROJECT),
        "commit": commit_of(PROJECT),
        "senders": args.senders,
        "rounds": args.rounds,
    }
    for kind in kinds:
        report[kind] = await run(kind, args)
        for name, figures in report[kind].items():
            print(f"{kind:9s} {name:26s} {json.dumps(figures)}", flush=True)
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())

"""Recovery after `kill -9`, with the real models, through the Telegram webhook.

Starts `opsbot run` as bench/load.py does (bench/bot_process.py: a fresh database, the shipped
models, a fake Telegram Bot API), sends a burst of updates (`--chats` chats x `--per-chat` messages,
all acknowledged, so all stored), kills the process with SIGKILL once half the chats have a reply,
restarts it on the same database, and measures:

- how long the restarted process took to answer /healthz (imports, models: not the pipeline's);
- from then, how long until every message of the burst had its reply (the recovery);
- how many messages were answered twice (only a send in flight at the kill may be, one the platform
  took but whose answer the process did not live to record; the platforms offer no idempotency key),
  beside how many sends were in flight, and how many messages were never answered within `--give-up`
  seconds.

The kill comes when the fake has received replies for half the chats: typically while the batch
that carries them waits for the fake's (slowed) answers, so those sends are the ones in flight.

    .venv/bin/python bench/recovery.py [--db sqlite|postgres|both]
    .venv/bin/python bench/recovery.py --project /tmp/before    # an earlier commit (git worktree)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bot_process as bench  # bench/bot_process.py: the process, the database, the fake API
from load import SCRIPTS

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_updates import text_update
from tests.test_process_recovery import answers


def sends_in_flight(url: str) -> int:
    """Outbox rows the killed process was sending: the platform may have taken them, unrecorded."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'sending'")).scalar_one()
    engine.dispose()
    return int(count)


async def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    with FakeTelegramAPI.running() as api, bench.database(kind) as url:
        env = bench.bot_env(url, api, {})
        bench.prepare(url, env, args.chats)
        port = bench.free_port()
        proc = await bench.start(port, env)
        api.slow_down("sendMessage", 0.05)  # so that the kill lands mid-burst
        sent = [(chat, chat * 1000 + n) for n in range(args.per_chat) for chat in range(1, args.chats + 1)]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:

            async def post(chat: int, message_id: int) -> None:
                text = SCRIPTS["zh" if chat % 3 == 0 else "en"][message_id % 12]
                update = text_update(50_000_000 + message_id, text, chat_id=chat, message_id=message_id)
                await bench.post_update(client, update)

            for n in range(0, len(sent), args.chats):  # a chat's messages in order, the chats at once
                await asyncio.gather(*(post(*key) for key in sent[n : n + args.chats]))
        await api.until(lambda: len(answers(api)) >= args.chats // 2, within=120)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        answered_before = len(answers(api))
        in_flight = sends_in_flight(url)
        restarted = time.monotonic()
        proc = await bench.start(port, env, warm=False)  # answering starts before the warm-up ends
        ready = time.monotonic()
        with contextlib.suppress(AssertionError):  # what is still unanswered is reported below
            await api.until(lambda: set(sent) <= set(answers(api)), within=args.give_up)
        done = time.monotonic()
        await asyncio.sleep(1.0)  # a late duplicate would show now
        counted = answers(api)
        bench.stop(proc)
    return {
        "messages": len(sent),
        "answered_before_kill": answered_before,
        "restart_to_ready_s": round(ready - restarted, 1),
        "ready_to_all_answered_s": round(done - ready, 1),
        "restart_to_all_answered_s": round(done - restarted, 1),
        "unanswered": sum(1 for key in sent if counted[key] == 0),
        "sends_in_flight_at_kill": in_flight,
        "answered_twice": sum(1 for key in sent if counted[key] > 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--chats", type=int, default=16)
    parser.add_argument("--per-chat", type=int, default=5)
    parser.add_argument("--give-up", type=float, default=300.0, help="seconds after the restart")
    parser.add_argument("--project", type=Path, default=bench.ROOT, help="the checkout to measure")
    args = parser.parse_args()
    bench.PROJECT = args.project.resolve()
    report: dict[str, Any] = {"machine": bench.machine(), "commit": bench.commit_of(bench.PROJECT)}
    for kind in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        report[kind] = await run(kind, args)
        print(f"{kind:9s} {json.dumps(report[kind])}", flush=True)
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())

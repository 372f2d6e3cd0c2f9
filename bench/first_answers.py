"""The first questions after start (issue 28: "a question asked right after start is answered in <= 300 ms").

Starts `opsbot run` on a fresh database (SQLite by default) with the shipped models, waits for
/healthz (bench/bot_process.start), and the moment it says ready (200) asks one question of each kind
below through the web chat, one after the other, each in a conversation of its own: what a user who
writes at once meets while the process still decodes its replies in advance. Prints the seconds from
spawn to ready and to warm, each answer's latency, and the resident memory of the process once warm.
Run it alone: other work on the machine skews the figures.

    .venv/bin/python bench/first_answers.py [--db sqlite|postgres] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bot_process import READY_SECONDS, SUPPLIERS, bot_env, database, free_port, machine, prepare, start, stop

from tests.fakes.telegram_api import FakeTelegramAPI

QUESTIONS = (  # (kind, text, the supplier the web chat speaks for; None: a sales rep)
    ("knowledge", "how long do you take to pay an invoice once it is approved?", SUPPLIERS[0]),
    ("knowledge (zh)", "发票审核通过后多久付款？", SUPPLIERS[1]),
    ("order status", "where is PO-1001?", SUPPLIERS[0]),
    ("market trends", "how are the market trends this month?", None),
    ("customer industry", "which industry is Globex Industries in?", None),
    ("forecast", "forecast demand for AB-1020 next month", SUPPLIERS[0]),
    ("recommendations", "what should we pitch to ACME?", None),
)


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass(frozen=True)
class FirstStart:
    ready_s: float  # from spawn to /healthz 200
    warm_s: float  # from spawn to /healthz "warm": true
    answers_ms: dict[str, float]
    rss_mb: float  # resident memory once warm


async def one_start(kind: str) -> FirstStart:
    with FakeTelegramAPI.running() as api, database(kind) as url:
        env = bot_env(url, api, {})
        prepare(url, env, 2)
        port = free_port()
        spawned = time.monotonic()
        proc = await start(port, env, warm=False)  # returns once /healthz says ready
        ready = time.monotonic() - spawned
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                answers = {
                    name: await _answer_ms(client, n, text, supplier)
                    for n, (name, text, supplier) in enumerate(QUESTIONS)
                }
                while not (await client.get("/healthz")).json().get("warm"):
                    if time.monotonic() - spawned > READY_SECONDS:
                        raise RuntimeError("opsbot did not get warm in time")
                    await asyncio.sleep(0.05)
                warm = time.monotonic() - spawned
                memory = resident_mb(proc.pid)
        finally:
            stop(proc)
    return FirstStart(round(ready, 1), round(warm, 1), answers, round(memory))


async def _answer_ms(client: httpx.AsyncClient, n: int, text: str, supplier: str | None) -> float:
    started = time.monotonic()
    response = await client.post(
        "/web/messages", json={"sender": f"first-{n}", "text": text, "supplier_id": supplier}
    )
    if response.status_code != 200 or not response.json().get("replies"):
        raise RuntimeError(f"{text!r}: {response.status_code} {response.text[:200]}")
    return round(1000 * (time.monotonic() - started), 1)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}", flush=True)
    runs: list[FirstStart] = []
    for _ in range(args.runs):
        runs.append(await one_start(args.db))
        print(json.dumps(asdict(runs[-1]), ensure_ascii=False), flush=True)
    medians = {name: statistics.median(r.answers_ms[name] for r in runs) for name, _, _ in QUESTIONS}
    print(json.dumps({"db": args.db, "runs": args.runs, "median_answer_ms": medians}, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())

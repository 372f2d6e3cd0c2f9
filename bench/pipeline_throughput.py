"""Messages per second through the durable pipeline (inbox -> worker -> dialogue -> outbox -> sender).

The NLU is a keyword double and the renderer an echo double, so this measures the pipeline itself:
storage, claiming, session load/save, turn log and outbox. Run: `make bench-pipeline`
(or `python bench/pipeline_throughput.py --messages 2000 --conversations 50`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from bot.builder import build_application
from bot.config import load_config
from bot.ml import Models
from bot.storage.db import make_engine
from bot.storage.migrate import upgrade
from bot.storage.tables import OutboxRow
from dialogue.actions.basic import basic_actions
from dialogue.messages import ConversationKey, IncomingMessage, Platform, Sender
from tests.fakes.nlu import KeywordParser
from tests.fakes.renderer import EchoRenderer

TEXTS = ["hello", "help", "thanks", "what's the weather", "bye"]


async def run_one(kind: str, n: int, conversations: int, workers: int) -> dict[str, object]:
    tmp = tempfile.mkdtemp()
    schema = None
    if kind == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
    else:
        url = os.environ.get("OPSBOT_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(url)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(url, search_path=schema, pool_size=workers + 4)
    await upgrade(engine)
    cfg_path = Path(tmp) / "config.yaml"
    cfg_path.write_text(
        f"app: {{var_dir: {tmp}}}\nscheduler: {{enabled: false}}\npipeline: {{workers: {workers}}}\n"
    )
    config = load_config(cfg_path, environ={})
    nlu = KeywordParser()
    models = Models(make_parser=lambda _names: nlu, renderer=EchoRenderer(), actions=basic_actions())
    runtime = build_application(config, models=models, engine=engine)
    messages = [
        IncomingMessage(
            platform=Platform.WEB,
            conversation=ConversationKey(Platform.WEB, f"c{i % conversations}"),
            sender=Sender(f"c{i % conversations}"),
            text=TEXTS[i % len(TEXTS)],
            external_id=f"m{i}",
            timestamp=datetime.now(UTC),
        )
        for i in range(n)
    ]
    t0 = time.perf_counter()
    await asyncio.gather(*(runtime.ingest(m) for m in messages[: n // 2]))
    ingest_s = time.perf_counter() - t0
    await runtime.start()
    t1 = time.perf_counter()
    # the rest arrives while the workers run, as in production
    for i in range(n // 2, n, 50):
        await asyncio.gather(*(runtime.ingest(m) for m in messages[i : i + 50]))
    while True:
        async with runtime.store.sessionmaker() as s:
            sent = (
                await s.execute(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "sent"))
            ).scalar_one()
        if sent >= n:
            break
        await asyncio.sleep(0.05)
    total_s = time.perf_counter() - t1
    await runtime.close()
    if schema is not None:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
    return {
        "database": kind,
        "messages": n,
        "conversations": conversations,
        "workers": 1 if kind == "sqlite" else workers,
        "ingest_per_s": round((n // 2) / ingest_s, 1),
        "end_to_end_per_s": round(n / total_s, 1),
        "seconds": round(total_s, 2),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="worker tasks on PostgreSQL")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()} cpus={os.cpu_count()} "
        f"python={platform.python_version()}"
    )
    results = {}
    for kind in ("sqlite", "postgres"):
        if args.only and kind != args.only:
            continue
        r = await run_one(kind, args.messages, args.conversations, args.workers)
        results[kind] = r
        print(
            f"{kind:9s} {r['messages']} msgs / {r['conversations']} conversations, {r['workers']} worker(s): "
            f"{r['end_to_end_per_s']} msg/s end to end (ingest alone {r['ingest_per_s']} msg/s)"
        )
    print(json.dumps({f"{k}_msgs_per_s": v["end_to_end_per_s"] for k, v in results.items()}))


if __name__ == "__main__":
    asyncio.run(main())

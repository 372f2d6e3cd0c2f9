"""How long a handoff takes under the fakes: supplier's request -> card in Slack, agent's reply -> Telegram.

The whole bot runs in this process (keyword NLU and echo renderer, so the models do not count), on
SQLite or PostgreSQL, with python-telegram-bot and slack_sdk talking to the fake Bot API and the fake
Slack Web API on 127.0.0.1. Each round: a supplier asks for a person (timed until the card is posted),
an agent claims it, the agent replies in the card's thread (timed until the fake Bot API has the
message), and the agent resolves.

    python bench/handoff_latency.py --rounds 20 [--db postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot.builder import build_application  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.ml import Models  # noqa: E402
from bot.seed import seed_demo  # noqa: E402
from bot.storage.db import make_engine  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402
from dialogue.actions.registry import default_actions  # noqa: E402
from tests.fakes.nlu import KeywordParser  # noqa: E402
from tests.fakes.renderer import EchoRenderer  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI, serve_asgi  # noqa: E402
from tests.test_handoff_end_to_end import DESK, TG_SECRET, Agent, Supplier, link  # noqa: E402


async def until(check: Any) -> None:
    """Wait until `check()` is true, looking every 2 ms (the fakes keep no events to wait on)."""
    while not check():  # noqa: ASYNC110
        await asyncio.sleep(0.002)


def cards(slack: Any) -> list[dict[str, Any]]:
    """The top-level messages the bot posted on the desk: the escalation cards."""
    return [m for m in slack.messages.get(DESK, []) if not m.get("thread_ts")]


class Slack:
    """The fake Slack Web API served in this process."""

    def __init__(self) -> None:
        from tests.fakes.slack_api import FakeSlackApi

        self.api = FakeSlackApi()

    async def __aenter__(self) -> Any:
        server = uvicorn.Server(
            uvicorn.Config(self.api.asgi(), host="127.0.0.1", port=0, log_level="warning")
        )
        self._task = asyncio.create_task(server.serve())
        await until(lambda: server.started)
        port = server.servers[0].sockets[0].getsockname()[1]
        self.api.base_url = f"http://127.0.0.1:{port}/api/"
        self._server = server
        return self.api

    async def __aexit__(self, *exc: object) -> None:
        self._server.should_exit = True
        await self._task


async def run(kind: str, rounds: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp())
    schema = None
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    pg = os.environ.get("OPSBOT_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    if kind == "postgres":
        schema, url = f"bench_{uuid.uuid4().hex[:8]}", pg
        admin = make_engine(pg)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, search_path=schema, pool_size=10)
    await upgrade(engine)
    card_ms, relay_ms = [], []
    with FakeTelegramAPI.running() as telegram:
        async with Slack() as slack:
            slack.users.update({"UANN": {"id": "UANN", "name": "ann", "profile": {"display_name": "Ann"}}})
            config_path = tmp / "config.yaml"
            config_path.write_text(
                json.dumps(
                    {
                        "app": {"var_dir": str(tmp), "log_level": "WARNING"},
                        "scheduler": {"enabled": False},
                        "web": {"enabled": False},
                        "telegram": {"mode": "webhook", "api_base_url": telegram.base_url,
                                     "per_chat_interval_seconds": 0.0},
                        "slack": {"mode": "http", "api_base_url": slack.base_url, "support_channel": DESK,
                                  "agent_user_ids": ["UANN"], "per_channel_interval_seconds": 0},
                        # each round is a new request, not the supplier coming back to the last one
                        "handoff": {"csat": False, "auto_close_hours": 0.0001},
                    }
                )
            )  # fmt: skip
            env = {
                "TELEGRAM_BOT_TOKEN": telegram.token,
                "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
                "SLACK_BOT_TOKEN": "xoxb-test-token",
                "SLACK_SIGNING_SECRET": "test-signing-secret",
            }
            nlu = KeywordParser()
            models = Models(
                make_parser=lambda _n: nlu, renderer=EchoRenderer(), actions=default_actions(embedder=None)
            )
            app = build_application(load_config(config_path, environ=env), models=models, engine=engine)
            await seed_demo(app.store.sessionmaker, today=app.clock().date())
            await link(app)
            await app.start()
            import httpx

            async with (
                serve_asgi(app.asgi) as base,
                httpx.AsyncClient(base_url=base, trust_env=False) as client,
            ):
                supplier, ann = Supplier(client, telegram), Agent(client, slack, "UANN")
                for n in range(1, rounds + 1):
                    posted = len(cards(slack))
                    started = time.monotonic()
                    await supplier.says("I want to talk to a real person")
                    await until(lambda posted=posted: len(cards(slack)) > posted)
                    card_ms.append(1000 * (time.monotonic() - started))
                    card = cards(slack)[-1]["ts"]
                    await ann.clicks(f"handoff:claim:{n}", card)
                    await until(lambda: any("has taken over" in t for t in supplier.received()[-2:]))
                    before = len(supplier.received())
                    started = time.monotonic()
                    await ann.writes(f"Hello, this is Ann ({n}).", card)
                    await until(
                        lambda n=n, before=before: any(f"({n})" in t for t in supplier.received()[before:])
                    )
                    relay_ms.append(1000 * (time.monotonic() - started))
                    await ann.clicks(f"handoff:resolve:{n}", card)
                    await until(
                        lambda before=before: any("has closed" in t for t in supplier.received()[before:])
                    )
                    await asyncio.sleep(0.5)  # past the (tiny) auto-close window

            await app.stop()
            await app.close()
    if schema is not None:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()

    def summary(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
            "max_ms": round(ordered[-1], 1),
        }

    return {
        "database": kind,
        "rounds": rounds,
        "request_to_card": summary(card_ms),
        "reply_to_telegram": summary(relay_ms),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} cpus={os.cpu_count()}", flush=True)
    print(json.dumps(await run(args.db, args.rounds)))


if __name__ == "__main__":
    asyncio.run(main())

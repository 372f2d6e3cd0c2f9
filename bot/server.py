"""Start-up: train what is stale, load the models, build the runtime, serve HTTP (uvicorn)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import uvicorn

from bot.app import Runtime, build_runtime
from bot.config import AppConfig
from bot.errors import OpsbotError
from bot.storage.db import make_engine
from bot.storage.migrate import current_revision

logger = logging.getLogger(__name__)


async def build_production_runtime(config: AppConfig) -> Runtime:
    """Everything real: trained models, SQL backend, the adapters whose tokens are set."""
    from bot.models import adapter_factories, ensure_models, load_models

    engine = make_engine(config.database_url, echo=config.settings.database.echo)
    if await current_revision(engine) is None:
        await engine.dispose()
        raise OpsbotError("the database is not migrated: run `opsbot db upgrade` (make run does it for you)")
    await asyncio.to_thread(ensure_models, config, force=False, progress=True)
    models = await asyncio.to_thread(load_models, config)
    runtime = build_runtime(
        config,
        parser=models.parser_factory,
        renderer=models.renderer,
        actions=models.actions,
        adapter_factories=adapter_factories(config),
        engine=engine,
    )
    return runtime


async def setup_demo(config: AppConfig) -> None:
    """What `make run` needs before serving: migrations, demo data when empty, missing models."""
    from bot.models import ensure_models
    from bot.seed import is_empty, seed_demo
    from bot.storage.db import make_sessionmaker
    from bot.storage.migrate import upgrade

    engine = make_engine(config.database_url)
    try:
        await upgrade(engine)
        sm = make_sessionmaker(engine)
        if await is_empty(sm):
            counts = await seed_demo(sm, today=datetime.now(UTC).date())
            print(f"demo data written: {counts}", flush=True)
    finally:
        await engine.dispose()
    await asyncio.to_thread(ensure_models, config, force=False, progress=True)


async def serve(config: AppConfig, *, host: str | None = None, port: int | None = None) -> None:
    runtime = await build_production_runtime(config)
    from bot.models import install_jobs

    install_jobs(runtime)
    host = host or config.settings.server.host
    port = port or config.settings.server.port
    assert runtime.asgi_app is not None
    server = uvicorn.Server(
        uvicorn.Config(runtime.asgi_app, host=host, port=port, log_level="warning", lifespan="off")
    )
    await runtime.start()
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started and not serving.done():  # noqa: ASYNC110 - uvicorn exposes only a flag
            await asyncio.sleep(0.05)
        if server.started:
            logger.info(
                "opsbot listening on http://%s:%s (adapters: %s)", host, port, ", ".join(runtime.adapters)
            )
            print(f"opsbot is running: web chat on http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
        await serving
    finally:
        await runtime.close()


async def console_chat(config: AppConfig, *, sender: str, supplier_id: str | None) -> None:
    """A terminal chat through the same inbox/outbox path as the web chat."""
    from adapters.web import parse_web_message

    runtime = await build_production_runtime(config)
    await runtime.start(scheduler=False)
    print("opsbot console chat. Type a message, or Ctrl+D to quit.", flush=True)
    try:
        while True:
            line = await asyncio.to_thread(_read_line)
            if line is None:
                break
            if not line.strip():
                continue
            message = parse_web_message(
                {"sender": sender, "text": line, "supplier_id": supplier_id, "message_id": _msg_id()},
                trust_supplier_id=config.settings.web.trust_supplier_id,
            )
            result = await runtime.ingest(message)
            if result.inbox_id is None:
                continue
            replies = await runtime.wait_replies(result.inbox_id, config.settings.web.reply_timeout_seconds)
            for reply in replies or []:
                print(f"bot> {reply.text}", flush=True)
                if reply.buttons:
                    print("     [" + "] [".join(b.label for b in reply.buttons) + "]", flush=True)
    finally:
        await runtime.close()


def _read_line() -> str | None:
    with contextlib.suppress(EOFError):
        sys.stdout.write("you> ")
        sys.stdout.flush()
        line = sys.stdin.readline()
        return line.rstrip("\n") if line else None
    return None


def _msg_id() -> str:
    return f"console-{datetime.now(UTC).timestamp():.6f}"


__all__: list[Any] = ["build_production_runtime", "console_chat", "serve"]

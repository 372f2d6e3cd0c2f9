"""Start-up: set up what is missing, load the models, build the application, serve it over HTTP."""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import signal
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import uvicorn

from bot.application import Role
from bot.builder import build_application
from bot.config import AppConfig
from bot.ml import Models, ensure_models, load_models, warm_models, web_role_models
from bot.storage.db import make_engine, make_sessionmaker
from bot.storage.migrate import current_revision, upgrade
from dialogue.errors import OpsbotError

logger = logging.getLogger(__name__)


async def setup_demo(config: AppConfig) -> None:
    """What `make run` needs before serving: migrations, the demo data when the database is empty and
    no `opsbot import` was ever run, missing models."""
    from bot.dataio.importer import import_was_run
    from bot.seed import is_empty, seed_demo

    engine = make_engine(config.database_url)
    try:
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        if await is_empty(sessionmaker) and not await import_was_run(sessionmaker):
            counts = await seed_demo(sessionmaker, today=datetime.now(UTC).date())
            print(f"demo data written: {counts}", flush=True)
    finally:
        await engine.dispose()
    s = config.settings
    await asyncio.to_thread(ensure_models, s.nlu, s.nlg, force=False, progress=True)


async def prepare_models(config: AppConfig) -> Models:
    """Check the database is migrated, train what is stale, and load the models."""
    engine = make_engine(config.database_url)
    try:
        migrated = await current_revision(engine) is not None
    finally:
        await engine.dispose()
    if not migrated:
        raise OpsbotError("the database is not migrated: run `opsbot db upgrade` (make run does it for you)")
    s = config.settings
    await asyncio.to_thread(ensure_models, s.nlu, s.nlg, force=False, progress=True)
    return await asyncio.to_thread(load_models, s.nlu, s.nlg, s.dialogue, s.knowledge)


def serving_loop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop to serve on: uvloop's where it is installed (Linux and macOS), else asyncio's.

    One loop carries every request, wake-up and database call of the process; uvloop's costs less per
    callback. On 2 cores: 66-72 -> 80 messages/s on the web chat, webhook ack p99 at 40/s 67-70 ->
    55-63 ms (SQLite; bench/RESULTS.md).
    """
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return None
    return uvloop.new_event_loop


def freeze_long_lived_objects() -> None:
    """Keep what is loaded by now (the models, the application) out of the garbage collector's scans.

    Those objects live as long as the process. Each full collection walked all of them: 360 to 400 ms
    with the event loop stopped, twice in 15 s at 40 updates/s, and every webhook acknowledged in that
    time waited for it (ack p99 332 ms; with the objects frozen, 70 ms; bench/RESULTS.md).
    """
    gc.collect()
    gc.freeze()


def bind(host: str, port: int) -> socket.socket:
    """Listen on host:port before anything starts, so a taken port fails fast and clearly."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise OpsbotError(f"{host}:{port} is already in use (another opsbot?); use --port") from None
        raise OpsbotError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


async def serve(
    config: AppConfig,
    *,
    host: str | None = None,
    port: int | None = None,
    role: Role = Role.ALL,
    models: Models | None = None,
    proxy_headers: bool | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM; the application's lifespan starts (in `role`) and drains it.

    `models` default to the trained ones (`prepare_models`); tests pass doubles. `proxy_headers`
    (default `server.proxy_headers`) believes X-Forwarded-For/-Proto from `server.forwarded_allow_ips`.
    """
    if role != Role.ALL and config.database_url.startswith("sqlite"):
        raise OpsbotError(f"--role {role.value} needs PostgreSQL (DATABASE_URL): SQLite is one process")
    if models is None:
        # a web process stores and acknowledges: no model (a worker answers); the others load them, and
        # make every model's first call and build every index before listening, so that /healthz
        # answers (ready) only when the first answer of each kind comes at its usual speed
        if role == Role.WEB:
            models = web_role_models()
        else:
            models = await prepare_models(config)
            await warm_models(models)
    application = build_application(config, models=models, role=role)
    if role != Role.WEB:
        await application.warm_data()  # the usual trend charts drawn: ready means their first is quick
    host = host or config.settings.server.host
    port = port or config.settings.server.port
    try:
        sock = bind(host, port)
    except OpsbotError:
        await application.close()
        raise
    server_settings = config.settings.server
    forwarded = server_settings.proxy_headers if proxy_headers is None else proxy_headers
    server = uvicorn.Server(
        uvicorn.Config(
            application.asgi,
            log_level="warning",
            lifespan="on",
            proxy_headers=forwarded,  # off: the client is the TCP peer, whatever headers it sends
            forwarded_allow_ips=server_settings.forwarded_allow_ips,
        )
    )
    freeze_long_lived_objects()
    logger.info(
        "opsbot listening on http://%s:%s (adapters: %s)", host, port, ", ".join(application.adapters)
    )
    if "web" in application.adapters:
        print(
            f"opsbot is running: web chat on http://{host}:{port}/ and the agent console on /agent",
            flush=True,
        )
    print(f"opsbot ({role.value}) is listening on http://{host}:{port}  (Ctrl+C to stop)", flush=True)
    # uvicorn drains on SIGTERM, then raises the signal again for the handler it found: make that
    # handler a no-op, so a graceful stop ends with exit status 0.
    previous = (
        signal.signal(signal.SIGTERM, _stopped)
        if threading.current_thread() is threading.main_thread()
        else None
    )
    try:
        await server.serve(sockets=[sock])
    finally:
        sock.close()
        await application.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stopped(_signum: int, _frame: object) -> None:
    """SIGTERM after uvicorn's graceful shutdown: nothing left to do."""

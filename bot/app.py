"""The composition root: builds every component from the config and wires them together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.base import Adapter
from adapters.web import WebChatAdapter
from bot.backend_sql import SqlAccounts, SqlBackend, SqlHandoff
from bot.config import AppConfig
from bot.metrics import Metrics
from bot.notify import Notifier
from bot.pipeline import Ingestor, OutboxSender, Worker, cancel_tasks
from bot.storage.db import is_sqlite, make_engine, make_sessionmaker, ping
from bot.storage.pipeline import PipelineStore
from dialogue.actions.base import Services
from dialogue.clock import Clock, system_clock
from dialogue.manager import ActionTable, DialogueManager, Policy
from dialogue.messages import OutgoingMessage
from dialogue.nlg.types import ReplyRenderer
from nlu.types import NameLookup, Parser

logger = logging.getLogger(__name__)

# Builds the parser once the backend (for name lookup) exists.
ParserFactory = Callable[[NameLookup], Parser]
AdapterFactory = Callable[["Runtime"], Adapter]


@dataclass
class Runtime:
    """Everything the running bot is made of; start() and stop() are idempotent."""

    config: AppConfig
    clock: Clock
    engine: Any
    store: PipelineStore
    backend: SqlBackend
    accounts: SqlAccounts
    handoff: SqlHandoff
    metrics: Metrics
    ingest: Ingestor
    manager: DialogueManager
    inbox_notifier: Notifier
    done_notifier: Notifier
    outbox_notifier: Notifier
    adapters: dict[str, Adapter] = field(default_factory=dict)
    models_ready: bool = True
    scheduler: AsyncIOScheduler | None = None
    leader: Any = None
    asgi_app: Starlette | None = None
    workers: list[Worker] = field(default_factory=list)
    sender: OutboxSender | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _started: bool = False

    @property
    def sessionmaker(self) -> Any:
        return self.store._sm

    async def start(self, *, workers: bool = True, scheduler: bool = True) -> None:
        if self._started:
            return
        self._started = True
        self._stop = asyncio.Event()
        await self.backend.refresh_names()
        for adapter in self.adapters.values():
            await adapter.start()
        if workers:
            for worker in self.workers:
                self._tasks.append(asyncio.create_task(worker.run(self._stop), name=worker.name))
            if self.sender is not None:
                self._tasks.append(asyncio.create_task(self.sender.run(self._stop), name="outbox-sender"))
            self._tasks.append(asyncio.create_task(self._gauge_loop(), name="queue-gauges"))
        if scheduler and self.scheduler is not None and self.config.settings.scheduler.enabled:
            from bot.jobs import SchedulerLeader

            self.leader = SchedulerLeader(self)
            await self.leader.start()

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        for adapter in self.adapters.values():
            try:
                await adapter.stop()
            except Exception:
                logger.exception("stopping adapter %s failed", adapter.platform)
        if self.leader is not None:
            await self.leader.stop()
            self.leader = None
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self._stop.set()
        self.inbox_notifier.notify()
        self.outbox_notifier.notify()
        await cancel_tasks(self._tasks)
        self._tasks.clear()

    async def close(self) -> None:
        await self.stop()
        await self.engine.dispose()

    async def wait_replies(self, inbox_id: int, timeout: float) -> list[OutgoingMessage] | None:  # noqa: ASYNC109
        """Wait until the pipeline has finished inbox row `inbox_id`; None on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            status = await self.store.inbox_status(inbox_id)
            if status in ("done", "dead"):
                return [msg for _id, msg in await self.store.replies_for(inbox_id)]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await self.done_notifier.wait(min(remaining, 0.2))

    async def _gauge_loop(self) -> None:
        while not self._stop.is_set():
            try:
                for queue, depth in (await self.store.queue_depths()).items():
                    self.metrics.queue_depth.labels(queue).set(depth)
            except Exception:
                logger.warning("queue depth query failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 5.0)


def build_runtime(
    config: AppConfig,
    *,
    parser: Parser | ParserFactory,
    renderer: ReplyRenderer,
    actions: ActionTable,
    clock: Clock = system_clock,
    adapter_factories: Sequence[AdapterFactory] = (),
    engine: Any = None,
) -> Runtime:
    """Wire the bot. Models are passed in (bot.models loads the real ones)."""
    s = config.settings
    engine = engine or make_engine(config.database_url, echo=s.database.echo, pool_size=s.database.pool_size)
    sm = make_sessionmaker(engine)
    store = PipelineStore(sm, clock=clock)
    backend = SqlBackend(sm, clock=clock)
    accounts = SqlAccounts(sm, clock=clock)
    handoff = SqlHandoff(
        sm,
        clock=clock,
        claim_sla=timedelta(minutes=s.handoff.claim_sla_minutes),
        resolve_sla=timedelta(minutes=s.handoff.resolve_sla_minutes),
    )
    metrics = Metrics()
    inbox_n, done_n, outbox_n = Notifier(), Notifier(), Notifier()
    nlu = parser if not callable(parser) or hasattr(parser, "parse") else parser(backend)
    manager = DialogueManager(
        nlu=nlu,
        renderer=renderer,
        services=Services(backend=backend, accounts=accounts, handoff=handoff),
        clock=clock,
        actions=actions,
        policy=Policy(
            confidence_threshold=s.dialogue.confidence_threshold,
            fallbacks_before_handoff=s.dialogue.fallbacks_before_handoff,
            session_ttl=timedelta(minutes=s.dialogue.session_ttl_minutes),
            web_is_sales_channel=s.web.trust_supplier_id,
        ),
    )
    runtime = Runtime(
        config=config,
        clock=clock,
        engine=engine,
        store=store,
        backend=backend,
        accounts=accounts,
        handoff=handoff,
        metrics=metrics,
        ingest=Ingestor(store, inbox_n, metrics),
        manager=manager,
        inbox_notifier=inbox_n,
        done_notifier=done_n,
        outbox_notifier=outbox_n,
    )
    if s.web.enabled:
        runtime.adapters["web"] = WebChatAdapter(
            ingest=runtime.ingest,
            wait_replies=runtime.wait_replies,
            trust_supplier_id=s.web.trust_supplier_id,
            reply_timeout=s.web.reply_timeout_seconds,
            allow_remote=s.web.allow_remote,
        )
    for factory in adapter_factories:
        adapter = factory(runtime)
        runtime.adapters[adapter.platform.value] = adapter
    n_workers = 1 if is_sqlite(str(engine.url)) else s.pipeline.workers
    runtime.workers = [
        Worker(
            store=store,
            handler=manager,
            accounts=accounts,
            settings=s.pipeline,
            metrics=metrics,
            clock=clock,
            inbox_notifier=inbox_n,
            done_notifier=done_n,
            outbox_notifier=outbox_n,
            name=f"worker-{i}",
        )
        for i in range(n_workers)
    ]
    runtime.sender = OutboxSender(
        store=store, adapters=runtime.adapters, settings=s.pipeline, metrics=metrics, notifier=outbox_n
    )
    runtime.scheduler = AsyncIOScheduler(timezone=s.app.timezone)
    from bot.jobs import install_core_jobs

    install_core_jobs(runtime)
    runtime.asgi_app = build_asgi(runtime)
    return runtime


def build_asgi(runtime: Runtime) -> Starlette:
    async def healthz(request: Request) -> Response:
        db_ok = await ping(runtime.engine)
        ok = db_ok and runtime.models_ready
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "database": db_ok, "models": runtime.models_ready},
            status_code=200 if ok else 503,
        )

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    for adapter in runtime.adapters.values():
        routes.extend(adapter.routes())
    return Starlette(routes=routes)

"""The running bot: its parts, their lifecycle, and the ASGI app that serves them.

`bot.builder.build_application` makes one. It is an async context manager (`async with app:` starts
and stops it) and the Starlette lifespan of its own ASGI app. `start` and `stop` are idempotent;
`stop` lets the workers finish the turn in hand and the sender the sends it claimed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from types import TracebackType

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.base import Adapter
from bot.api.applier import BatchApplier
from bot.api.routes import PushApi
from bot.config import AppConfig
from bot.ingest import Ingestor
from bot.jobs.leader import SchedulerLeader
from bot.liveness import Liveness
from bot.metrics import Metrics
from bot.ml import Models
from bot.notify import DoneBoard, Notifier
from bot.replies import ReplyWaiter
from bot.sender import OutboxSender
from bot.storage.accounts import SqlAccounts
from bot.storage.backend import SqlBackend
from bot.storage.db import ping
from bot.storage.escalations import SqlEscalations
from bot.storage.store import PipelineStore
from bot.wakeups import PgWakeups
from bot.worker import Worker
from dialogue.clock import Clock, Sleep
from dialogue.handoff.service import HandoffService
from dialogue.manager import DialogueManager

logger = logging.getLogger(__name__)

WARM_UP_DEFER_SECONDS = 30.0
# A data warm-up (the usual trend charts) that takes longer, on a slow database, is left to first use:
# the process must listen, or its orchestrator restarts it.
DATA_WARM_UP_SECONDS = 60.0
QUIET_POLL_SECONDS = 0.05  # how often a late warm-up looks again for the idle time
GAUGE_INTERVAL_SECONDS = 5.0


class Role(StrEnum):
    """What a process does: `web` receives and acknowledges, `worker` processes and sends, `all` both."""

    ALL = "all"
    WEB = "web"
    WORKER = "worker"


@dataclass(frozen=True, slots=True)
class Notifiers:
    """In-process wake-ups: new inbox rows, finished turns, new outbox rows."""

    inbox: Notifier
    done: DoneBoard
    outbox: Notifier


class Application:
    """Everything the running bot is made of, complete from construction."""

    def __init__(
        self,
        *,
        config: AppConfig,
        clock: Clock,
        sleep: Sleep,
        engine: AsyncEngine,
        store: PipelineStore,
        backend: SqlBackend,
        accounts: SqlAccounts,
        handoff: HandoffService,
        escalations: SqlEscalations,
        models: Models,
        manager: DialogueManager,
        metrics: Metrics,
        notifiers: Notifiers,
        ingest: Ingestor,
        wait_replies: ReplyWaiter,
        adapters: Mapping[str, Adapter],
        workers: tuple[Worker, ...],
        sender: OutboxSender,
        leader: SchedulerLeader | None,
        liveness: Liveness,
        wakeups: PgWakeups,
        drain_seconds: float = 10.0,
        role: Role = Role.ALL,
        push: PushApi | None = None,
        batches: BatchApplier | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.sleep = sleep
        self.engine = engine
        self.store = store
        self.backend = backend
        self.accounts = accounts
        self.handoff = handoff
        self.escalations = escalations
        self.models = models
        self.manager = manager
        self.metrics = metrics
        self.notifiers = notifiers
        self.ingest = ingest
        self.wait_replies = wait_replies
        self.adapters = adapters
        self.workers = workers
        self.sender = sender
        self.leader = leader
        self.liveness = liveness
        self.wakeups = wakeups
        self.role = role
        self.push = push  # POST /api/v1/{entity}, served by the web role
        self.batches = batches  # applies what was pushed, in the worker role
        self.asgi = Starlette(routes=self._routes(), lifespan=self._lifespan)
        self._drain_seconds = drain_seconds
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False
        self._closed = False
        self._warm = False
        self._warming: asyncio.Task[None] | None = None

    @property
    def sessionmaker(self) -> object:
        return self.store.sessionmaker

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, role: Role | None = None) -> None:
        """Start receiving; with `role` all or worker also the workers, the sender and the scheduler.

        Idempotent: a second call does nothing until `stop`.
        """
        if self._started:
            return
        role = role or self.role
        self._started = True
        self._stop = asyncio.Event()
        await self.backend.refresh_names()
        await self.wakeups.start()
        for adapter in self.adapters.values():
            await adapter.start()
        if role == Role.WEB:
            return
        await self.liveness.announce()
        inbox, outbox = await self.liveness.reclaim(self.store.inbox, self.store.outbox)
        if inbox or outbox:
            logger.warning(
                "at start-up: %s messages and %s sends left in flight are due again", inbox, outbox
            )
        for worker in self.workers:
            self._tasks.append(asyncio.create_task(worker.run(self._stop), name=worker.name))
        self._tasks.append(asyncio.create_task(self.sender.run(self._stop), name="outbox-sender"))
        if self.batches is not None:
            self._tasks.append(asyncio.create_task(self.batches.run(self._stop), name="api-batches"))
        self._tasks.append(asyncio.create_task(self._gauge_loop(), name="queue-gauges"))
        self._warming = asyncio.create_task(self._warm_up(), name="warm-up")
        self._tasks.append(self._warming)
        if self.engine.dialect.name == "postgresql":
            self._tasks.append(asyncio.create_task(self._reclaim_loop(), name="reclaim-dead"))
        if self.leader is not None:
            await self.leader.start()

    async def _warm_up(self) -> None:
        """The actions' indexes, encoded while the workers already answer (a turn that needs one waits),
        then the models' late warm-ups (the replies decoded in advance); /healthz says "warm" after.

        After a restart the backlog goes first: the warm-up waits (up to WARM_UP_DEFER_SECONDS) until
        the inbox has nothing open, so that it does not slow down the recovery.
        """
        late = [partial(warm, self._quiet) for warm in self.models.late_warm_ups]
        warm_ups: list[Callable[[], Awaitable[object]]] = [*self.models.actions.warm_ups, *late]
        loop = asyncio.get_running_loop()
        deferred_until = loop.time() + WARM_UP_DEFER_SECONDS
        while warm_ups and loop.time() < deferred_until and not self._stop.is_set():
            try:
                if (await self.store.outbox.queue_depths())["inbox"] == 0:
                    break
            except Exception:
                logger.warning("queue depth query failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 0.5)
        if self._stop.is_set():
            return
        started = loop.time()
        for warm in warm_ups:
            try:
                await warm()
            except Exception:
                logger.exception("warming up %s failed; it is done on first use", warm)
        if warm_ups:
            logger.info("actions and models warmed up in %.1fs", loop.time() - started)
        self._warm = True

    async def warm_data(self) -> None:
        """The actions' work on the store's data (dialogue.actions.base.ActionTable.data_warm_ups), done
        before the process listens; a failure is logged, and that work is done on first use instead."""
        today = self.clock().date()
        for warm in self.models.actions.data_warm_ups:
            started = time.perf_counter()
            try:
                await asyncio.wait_for(warm(self.backend, today), DATA_WARM_UP_SECONDS)
            except TimeoutError:
                logger.warning(
                    "warming up %s took over %ss; the rest is done on first use", warm, DATA_WARM_UP_SECONDS
                )
            except Exception:
                logger.exception("warming up %s failed; it is done on first use", warm)
            else:
                logger.info(
                    "%s done in %.2fs", getattr(warm, "__qualname__", warm), time.perf_counter() - started
                )

    async def _quiet(self) -> None:
        """Return when no worker of this process has a message in hand (the late warm-ups' idle time)."""
        # polled: the workers set no event. A plain sleep, not wait_for on the stop event: on Python 3.11
        # wait_for may swallow the stop's cancel of the warm-up when the event is set at the same moment.
        while any(worker.busy for worker in self.workers):  # noqa: ASYNC110
            await asyncio.sleep(QUIET_POLL_SECONDS)

    async def stop(self) -> None:
        """Stop intake, let the turns and sends in hand finish (bounded), stop the scheduler; idempotent."""
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
        self._stop.set()
        if self._warming is not None:
            self._warming.cancel()  # not work in hand: a stop does not wait for the warm-up to end
        self.notifiers.inbox.notify()
        self.notifiers.outbox.notify()
        tasks, self._tasks = self._tasks, []
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=self._drain_seconds)
            for task in pending:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        try:  # escalation summaries being written (llm `assist`): each is bounded by the model's timeout
            await asyncio.wait_for(self.handoff.help.settle(), timeout=self._drain_seconds)
        except Exception:  # TimeoutError included: a summary is a nicety, never a reason to hang at stop
            logger.warning("escalation summaries still being written at stop were left", exc_info=True)
        for adapter in self.adapters.values():  # only now: the sends in hand are finished
            try:
                await adapter.close()
            except Exception:
                logger.exception("closing adapter %s failed", adapter.platform)
        await self.liveness.retire()
        await self.wakeups.stop()

    async def close(self) -> None:
        """Stop, then release the models' threads and the database connections; idempotent."""
        await self.stop()
        if self._closed:
            return
        self._closed = True
        await self.models.aclose()
        await self.store.transact.close()
        await self.engine.dispose()

    async def __aenter__(self) -> Application:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        async with self:
            yield

    async def _reclaim_loop(self) -> None:
        """Several processes: what one that died held becomes due again within seconds, not at lease end."""
        every = self.config.settings.pipeline.lease_seconds / 3
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), every)
            try:
                inbox, outbox = await self.liveness.reclaim(self.store.inbox, self.store.outbox)
            except Exception:
                logger.warning("reclaiming what dead processes held failed", exc_info=True)
                continue
            if inbox:
                self.notifiers.inbox.notify()
            if outbox:
                self.notifiers.outbox.notify()

    async def _gauge_loop(self) -> None:
        while not self._stop.is_set():
            try:
                for queue, depth in (await self.store.outbox.queue_depths()).items():
                    self.metrics.queue_depth.labels(queue).set(depth)
                for status, count in (await self.escalations.open_counts()).items():
                    self.metrics.open_escalations.labels(status).set(count)
            except Exception:
                logger.warning("queue depth query failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), GAUGE_INTERVAL_SECONDS)

    # --- HTTP --------------------------------------------------------------------------------

    def _routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [
            Route("/healthz", self._healthz, methods=["GET"]),
            Route("/metrics", self._metrics, methods=["GET"]),
        ]
        if self.role != Role.WORKER:  # a worker takes no webhooks: it processes and sends
            for adapter in self.adapters.values():
                routes.extend(adapter.routes())
            if self.push is not None:
                routes.extend(self.push.routes())
        return routes

    async def _healthz(self, request: Request) -> Response:
        db_ok = await ping(self.engine)
        ok = db_ok and self._started
        # "warm": the actions' indexes are encoded (informational; a cold worker answers, slower).
        warm = self._warm or self.role == Role.WEB
        status = "ok" if ok else "unavailable"
        return JSONResponse(
            {"status": status, "database": db_ok, "started": self._started, "warm": warm},
            status_code=200 if ok else 503,
        )

    async def _metrics(self, request: Request) -> Response:
        return Response(generate_latest(self.metrics.registry), media_type=CONTENT_TYPE_LATEST)

"""The composition root: builds the whole application from the config, in one place."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.web.access import RateLimits
from bot.analytics_cache import CachedSqlBackend
from bot.api.applier import BatchApplier
from bot.api.batches import BatchQueue
from bot.api.routes import PushApi
from bot.application import Application, Notifiers, Role
from bot.config import AppConfig
from bot.conversations import Conversations
from bot.delivery import Delivery
from bot.handoff_wiring import build_handoff
from bot.ingest import Ingestor
from bot.jobs.digest import DigestSources
from bot.jobs.leader import SchedulerLeader
from bot.jobs.schedule import build_scheduler
from bot.liveness import Liveness, new_holder
from bot.llm.build import build_llm
from bot.metrics import Metrics
from bot.ml import Models
from bot.notify import DoneBoard, Notifier
from bot.platforms import AdapterDeps, agent_directory, build_adapters, pacing_storage
from bot.replies import ReplyWaiter
from bot.sender import OutboxSender
from bot.storage.accounts import SqlAccounts
from bot.storage.console_reads import ConsoleReads
from bot.storage.db import make_engine, make_sessionmaker
from bot.storage.escalations import SqlEscalations
from bot.storage.generated_files import GENERATED, GeneratedFiles
from bot.storage.rejected import RejectedUpdates
from bot.storage.store import PipelineStore
from bot.storage.transact import transact_for
from bot.wakeups import DONE, INBOX, OUTBOX, PgWakeups
from bot.web_console import WebConsole, check_web_access
from bot.worker import Worker
from dialogue.actions.base import Services
from dialogue.clock import Clock, Sleep, system_clock
from dialogue.handoff.desk import HandoffDesk
from dialogue.handoff.sla_watch import SlaWatch
from dialogue.manager import DialogueManager, Policy
from dialogue.messages import Platform


def build_application(
    config: AppConfig,
    *,
    models: Models,
    clock: Clock = system_clock,
    sleep: Sleep = asyncio.sleep,
    engine: AsyncEngine | None = None,
    role: Role = Role.ALL,
) -> Application:
    """Wire every part for `role`. `models` are passed in: `bot.serve.prepare_models` loads the real ones."""
    s = config.settings
    check_web_access(config)
    holder = new_holder()
    engine = engine or make_engine(config.database_url, echo=s.database.echo, pool_size=s.database.pool_size)
    sessionmaker = make_sessionmaker(engine)
    store = PipelineStore.on(sessionmaker, clock=clock, transact=transact_for(engine))
    backend = CachedSqlBackend(sessionmaker, clock=clock)  # analytics reads cached per data version
    accounts = SqlAccounts(sessionmaker, clock=clock)
    escalations = SqlEscalations(sessionmaker, clock=clock)
    metrics = Metrics()
    notifiers = Notifiers(inbox=Notifier(), done=DoneBoard(), outbox=Notifier())
    ingest = Ingestor(store.inbox, notifier=notifiers.inbox, metrics=metrics)
    waiter = ReplyWaiter(store, done=notifiers.done)
    llm = build_llm(s.llm, api_key=config.secrets.LLM_API_KEY, metrics=metrics)  # None: provider off / no use
    handoff = build_handoff(
        config,
        store=escalations,
        backend=backend,
        clock=clock,
        observer=metrics.observe_escalation,
        llm=llm,  # assist: the card's summary, suggested replies; translate: handoff.agent_language
        announce=True,  # warn once at start-up when there is no Slack desk
    )
    desk = handoff.desk.channel
    generated = GeneratedFiles(sessionmaker)
    reads = ConsoleReads(sessionmaker)
    console = WebConsole(handoff=handoff, escalations=escalations, reads=reads, clock=clock)
    adapters = build_adapters(
        config,
        AdapterDeps(
            ingest=ingest,
            reject=RejectedUpdates(sessionmaker, clock=clock, metrics=metrics),
            inbox=store.inbox,
            console=console,
            wait_replies=waiter,
            files=generated,
            clock=clock,
            sleep=sleep,
            unlink=lambda user_id: accounts.unlink(Platform.WEB.value, user_id),
            on_link_failure=metrics.link_failures.labels(Platform.WEB.value).inc,
        ),
    )
    renderer = models.renderer
    if llm is not None:
        models = replace(models, closables=(*models.closables, llm.model))  # its client closes with them
        if llm.enabled("listing"):
            # Imported here: dialogue.nlg's renderer imports torch, which a web role never loads.
            from dialogue.nlg.listing_llm import ModelListings

            renderer = ModelListings(renderer, llm, tables=getattr(renderer, "products", None))
    manager = DialogueManager(
        nlu=models.make_parser(backend),
        renderer=renderer,
        services=Services(backend=backend, accounts=accounts, handoff=handoff, llm=llm),
        clock=clock,
        actions=models.actions,
        policy=Policy(dialogue=s.dialogue, handoff=s.handoff, web_is_sales_channel=s.web.trust_supplier_id),
    )
    conversations = Conversations(  # the support channel's messages are agents' commands, not dialogue
        manager=manager,
        desk=(
            HandoffDesk(service=handoff, agents=agent_directory(config, adapters), relays=escalations)
            if desk is not None
            else None
        ),
        clock=clock,
    )
    workers = tuple(
        Worker(
            store=store,
            handler=conversations,
            settings=s.pipeline,
            metrics=metrics,
            clock=clock,
            sleep=sleep,
            inbox_notifier=notifiers.inbox,
            done_notifier=notifiers.done,
            outbox_notifier=notifiers.outbox,
            default_language=s.dialogue.default_language,
            holder=holder,
            name=f"worker-{i}",
        )
        for i in range(s.pipeline.workers)
    )
    sender = OutboxSender(
        outbox=store.outbox,
        adapters=adapters,
        settings=s.pipeline,
        metrics=metrics,
        notifier=notifiers.outbox,
        delivery=Delivery(escalations=escalations, sources={**adapters, GENERATED: generated}, desk=desk),
        sleep=sleep,
        holder=holder,
    )
    leader = None
    if s.scheduler.enabled:
        scheduler = build_scheduler(
            settings=s.scheduler,
            timezone=s.app.timezone,
            sessionmaker=sessionmaker,
            clock=clock,
            session_ttl=timedelta(minutes=s.dialogue.session_ttl_minutes),
            digest=s.slack.digest if "slack" in adapters else None,
            digest_sources=DigestSources(backend=backend, sessionmaker=sessionmaker),
            outbox=store.outbox,
            wake_sender=notifiers.outbox.notify,
            sla=SlaWatch(handoff, settings=s.handoff, clock=clock),
            sla_every_seconds=s.handoff.sla_scan_seconds,
            notifications=s.notifications,
            api=s.api,
            handbook_store=s.knowledge.store,
        )
        leader = SchedulerLeader(engine, scheduler, sleep=sleep)
    batch_queue, pushed = BatchQueue(sessionmaker), Notifier()
    push = PushApi(
        token=config.secrets.OPSBOT_API_TOKEN,
        max_body_bytes=s.api.max_body_bytes,
        queue=batch_queue,
        clock=clock,
        wake=pushed,
        limits=RateLimits(storage_uri=pacing_storage(config)),
        failures_before_lock=s.api.token_failures_before_lock,
        lock_seconds=s.api.token_lock_minutes * 60,
    )
    batches = BatchApplier(
        queue=batch_queue,
        engine=engine,
        clock=clock,
        wake=pushed,
        on_applied=backend.refresh_names,
        notifications=s.notifications,
    )
    return Application(
        config=config,
        clock=clock,
        sleep=sleep,
        engine=engine,
        store=store,
        backend=backend,
        accounts=accounts,
        handoff=handoff,
        escalations=escalations,
        models=models,
        manager=manager,
        metrics=metrics,
        notifiers=notifiers,
        ingest=ingest,
        wait_replies=waiter,
        adapters=adapters,
        workers=workers,
        sender=sender,
        leader=leader,
        liveness=Liveness(engine, holder),
        wakeups=PgWakeups(
            engine, {INBOX: notifiers.inbox, DONE: notifiers.done, OUTBOX: notifiers.outbox}, origin=holder
        ),
        drain_seconds=s.pipeline.drain_seconds,
        role=role,
        push=push,
        batches=batches,
    )

"""The durable half of the message pipeline, as one object: inbox, sessions, turns and outbox."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.dialect import Sessionmaker
from bot.storage.inbox import Inbox
from bot.storage.outbox import Outbox
from bot.storage.sessions import Sessions
from bot.storage.transact import OnLoop, Transact
from bot.storage.turns import Turns
from dialogue.clock import Clock


@dataclass(frozen=True, slots=True)
class PipelineStore:
    sessionmaker: Sessionmaker
    inbox: Inbox
    sessions: Sessions
    turns: Turns
    outbox: Outbox
    transact: Transact

    @classmethod
    def on(
        cls, sessionmaker: Sessionmaker, *, clock: Clock, transact: Transact | None = None
    ) -> PipelineStore:
        """The store on `sessionmaker`; its busiest transactions through `transact` (bot.storage.transact)."""
        transact = transact or OnLoop(sessionmaker)
        return cls(
            sessionmaker=sessionmaker,
            inbox=Inbox(sessionmaker, clock=clock, transact=transact),
            sessions=Sessions(sessionmaker, clock=clock),
            turns=Turns(sessionmaker, clock=clock, transact=transact),
            outbox=Outbox(sessionmaker, clock=clock, transact=transact),
            transact=transact,
        )

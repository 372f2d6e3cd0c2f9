"""The durable half of the message pipeline, as one object: inbox, sessions, turns and outbox."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.dialect import Sessionmaker
from bot.storage.inbox import Inbox
from bot.storage.outbox import Outbox
from bot.storage.sessions import Sessions
from bot.storage.turns import Turns
from dialogue.clock import Clock


@dataclass(frozen=True, slots=True)
class PipelineStore:
    sessionmaker: Sessionmaker
    inbox: Inbox
    sessions: Sessions
    turns: Turns
    outbox: Outbox

    @classmethod
    def on(cls, sessionmaker: Sessionmaker, *, clock: Clock) -> PipelineStore:
        return cls(
            sessionmaker=sessionmaker,
            inbox=Inbox(sessionmaker, clock=clock),
            sessions=Sessions(sessionmaker, clock=clock),
            turns=Turns(sessionmaker, clock=clock),
            outbox=Outbox(sessionmaker, clock=clock),
        )

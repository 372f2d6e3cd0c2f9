"""Who holds a conversation is its escalation alone: the session loader reads it, nothing stores it twice.

A turn computed before an agent takes the conversation or gives it back loses its compare-and-set; a
turn that escalates (or withdraws) itself does not. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import inspect, select

from bot.application import Application
from bot.storage import inbox
from bot.storage.tables import ConversationRow, OutboxRow
from dialogue.handoff.commands import Claim, Resolve, ReturnToBot, TakeOver
from dialogue.handoff.model import Agent, Reason, Status
from dialogue.handoff.requests import EscalationRequest
from dialogue.handoff.silence import hold
from dialogue.messages import ConversationKey, OutgoingMessage, Platform
from dialogue.session import Session
from tests.bot.storage.test_transact import message
from tests.conftest import MakeRuntime

ANN = ConversationKey(Platform.TELEGRAM, "ann")
BOB = ConversationKey(Platform.TELEGRAM, "bob")
AGENT = Agent("slack:UANN", "Ann")


def asks_for_a_person(key: ConversationKey, n: int) -> EscalationRequest:
    return EscalationRequest(
        conversation_key=key.as_str(),
        reasons=(Reason("user_request", "talk to a human"),),
        language="en",
        request_id=f"telegram:{key.chat_id}-{n}",
        text="talk to a human",
    )


class Turn:
    """One supplier message worked by a worker: claimed, its session loaded, then committed."""

    def __init__(self, runtime: Application, key: ConversationKey, n: int) -> None:
        self.runtime = runtime
        self.key, self.n = key, n
        self.claim: inbox.Claim | None = None
        self.session: Session | None = None

    async def start(self, *, again: bool = False) -> Session:
        """Claim the message (`again`: the one whose turn was lost, due again) and load its session."""
        store = self.runtime.store
        if again:
            await store.inbox.release_held_by(None)
        else:
            await store.inbox.enqueue(message(self.key.chat_id, self.n))
        [self.claim] = await store.inbox.claim_batch(1, lease_seconds=60)
        self.session = await store.sessions.load(self.key, self.key.chat_id)
        return self.session

    async def commit(self, *texts: str) -> list[str] | None:
        """What the turn queued for the supplier (None: it lost its compare-and-set, nothing written)."""
        assert self.claim is not None and self.session is not None
        replies = [OutgoingMessage(self.key, text) for text in texts]
        store = self.runtime.store
        [queued] = await store.turns.complete_many([(self.claim, self.session, replies)])
        return None if queued is None else [m.text for m in queued]


async def held(runtime: Application, *keys: ConversationKey) -> list[bool]:
    return [s.held for s in await runtime.store.sessions.load_many([(key, key.chat_id) for key in keys])]


async def test_a_conversation_is_held_exactly_while_its_escalation_holds_it(
    make_runtime: MakeRuntime,
) -> None:
    runtime = await make_runtime(start=False)
    handoff = runtime.handoff
    first = Turn(runtime, ANN, 1)
    await first.start()
    assert await first.commit("hello") == ["hello"]  # the conversation is saved
    assert await held(runtime, ANN) == [False]

    esc, _new = await handoff.escalate(asks_for_a_person(ANN, 2))
    assert esc.status == Status.PENDING and await held(runtime, ANN) == [True]  # waiting for a person
    assert (await handoff.execute(Claim(esc.id, AGENT))).ok and await held(runtime, ANN) == [True]
    assert (await handoff.execute(Resolve(esc.id, AGENT))).ok and await held(runtime, ANN) == [False]
    resolved = await runtime.escalations.get(esc.id)
    assert resolved is not None
    assert (await handoff.reopen(resolved, "the box is crushed too")).ok  # the supplier wrote again
    assert await held(runtime, ANN) == [True]
    assert (await handoff.execute(Resolve(esc.id, AGENT))).ok
    assert (await handoff.close(esc.id)).ok  # closed after handoff.auto_close_hours
    closed = await runtime.escalations.get(esc.id)
    assert closed is not None and closed.status == Status.CLOSED and await held(runtime, ANN) == [False]

    again, _new = await handoff.escalate(asks_for_a_person(ANN, 3))
    assert await held(runtime, ANN) == [True]
    assert (await handoff.execute(ReturnToBot(again.id, AGENT))).ok and await held(runtime, ANN) == [False]

    # Loaded together, each conversation gets its own answer, one never saved (Bob's) included.
    taken = await handoff.execute(TakeOver(BOB.as_str(), AGENT))
    assert taken.ok and await held(runtime, ANN, BOB, ANN) == [False, True, False]
    async with runtime.store.sessionmaker() as s:
        columns = await s.run_sync(lambda db: inspect(db.connection()).get_columns("conversations"))
    assert (
        "controller" not in [c["name"] for c in columns] and "controller" not in ConversationRow.__table__.c
    )  # nothing to drift


async def test_a_turn_that_raced_with_an_agent_loses_and_one_that_escalated_itself_does_not(
    make_runtime: MakeRuntime,
) -> None:
    runtime = await make_runtime(start=False)
    handoff = runtime.handoff

    hello = Turn(runtime, ANN, 0)
    await hello.start()
    assert await hello.commit("hello") == ["hello"]  # the conversation is saved

    # The supplier's own turn asks for a person: the escalation is written during the turn, and the
    # turn still commits (its session marked held for the rest of it: the bot's own words drop).
    asking = Turn(runtime, ANN, 1)
    session = await asking.start()
    esc, _new = await handoff.escalate(asks_for_a_person(ANN, 1))
    hold(session)
    assert await asking.commit("order PO-1 shipped") == []

    # An agent claims while the next turn runs: a person held it before and after, the turn commits.
    claimed = Turn(runtime, ANN, 2)
    assert (await claimed.start()).held
    assert (await handoff.execute(Claim(esc.id, AGENT))).ok
    assert await claimed.commit("order PO-1 shipped") == []

    # The agent resolves while the next turn runs (computed as held): it loses its compare-and-set.
    raced = Turn(runtime, ANN, 3)
    assert (await raced.start()).held
    assert (await handoff.execute(Resolve(esc.id, AGENT))).ok
    assert await raced.commit() is None
    assert not (await raced.start(again=True)).held  # its message again, once due
    assert await raced.commit("order PO-1 shipped") == ["order PO-1 shipped"]

    # An agent takes the conversation over while the bot computes an answer: the answer never goes out.
    racing = Turn(runtime, ANN, 4)
    assert not (await racing.start()).held
    assert (await handoff.execute(TakeOver(ANN.as_str(), AGENT))).ok
    assert await racing.commit("order PO-1 shipped") is None
    assert (await racing.start(again=True)).held
    assert await racing.commit("order PO-1 shipped") == []
    async with runtime.store.sessionmaker() as s:
        query = select(OutboxRow.payload).where(OutboxRow.conversation_key == ANN.as_str())
        texts = [payload.get("text") for payload in (await s.execute(query)).scalars()]
    assert texts.count("order PO-1 shipped") == 1  # only the turn that ran after the resolution

"""The end of a batch of turns: one transaction, and one by one when a turn of it lost its lease."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from bot.storage.db import make_sessionmaker
from bot.storage.store import PipelineStore
from bot.storage.tables import ConversationRow, OutboxRow
from bot.storage.transact import transact_for
from dialogue.messages import OutgoingMessage
from tests.bot.storage.test_transact import message


async def test_a_changed_conversation_costs_only_its_own_turn_and_the_others_versions_advance_once(
    engine: Any, clock: Any
) -> None:
    store = PipelineStore.on(make_sessionmaker(engine), clock=clock, transact=transact_for(engine))
    try:
        # Two suppliers have talked before: both sessions are saved at version 1.
        for n, chat in enumerate(("ann", "bob")):
            await store.inbox.enqueue(message(chat, n))
        first = await store.inbox.claim_batch(2, lease_seconds=60)
        sessions = [await store.sessions.load(c.message.conversation, c.message.sender.id) for c in first]
        turns = [(c, s, []) for c, s in zip(first, sessions, strict=True)]
        assert await store.turns.complete_many(turns) == [(), ()]
        assert [s.version for s in sessions] == [1, 1]

        # Their next messages are answered in one batch, but Bob's conversation changed meanwhile
        # (a support agent took it over).
        for n, chat in enumerate(("ann", "bob"), start=2):
            await store.inbox.enqueue(message(chat, n))
        claims = await store.inbox.claim_batch(2, lease_seconds=60)
        async with store.sessionmaker.begin() as s:
            await s.execute(
                update(ConversationRow).where(ConversationRow.key == "telegram:bob").values(version=2)
            )
        replies = [
            [OutgoingMessage(c.message.conversation, f"answer to {c.message.sender.id}")] for c in claims
        ]
        done = await store.turns.complete_many(
            [(c, s, r) for c, s, r in zip(claims, sessions, replies, strict=True)]
        )

        assert [None if q is None else [m.text for m in q] for q in done] == [["answer to ann"], None]
        assert [s.version for s in sessions] == [2, 1]  # Ann's saved once; Bob's not at all
        async with store.sessionmaker() as s:
            versions = dict((await s.execute(select(ConversationRow.key, ConversationRow.version))).all())
            queued = list((await s.execute(select(OutboxRow.conversation_key))).scalars())
        assert versions == {"telegram:ann": 2, "telegram:bob": 2}
        assert queued == ["telegram:ann"]
    finally:
        await store.transact.close()

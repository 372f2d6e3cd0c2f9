"""Agents at a chat desk (the Slack support channel): button clicks and thread messages.

A click on Claim, Unassign, Resolve or Return to bot calls the service ("Suggest a reply", with
llm.uses assist, answers the clicker alone with a draft and sends nothing); a refusal (not an agent, lost
the race, not the assignee) is answered with a message only the clicker sees. In a card's thread,
only the assignee's messages reach the supplier; a message starting with `note:`, or from anyone
else, stays internal (the latter with a hint). Edits and deletions of relayed messages follow them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Protocol

from dialogue.handoff.card import SUGGEST, parse_button
from dialogue.handoff.model import Agent, Escalation
from dialogue.handoff.requests import Outcome
from dialogue.handoff.service import HandoffService
from dialogue.messages import IncomingMessage, OutgoingMessage

logger = logging.getLogger(__name__)

SUGGESTION_HEAD = (
    "Suggested reply (only you see this; nothing was sent. To send it, edit it as you like and write it "
    "in this thread):"
)
NOTE_PREFIX = re.compile(r"^\s*note\s*:", re.IGNORECASE)
_MENTION = re.compile(r"<@([A-Z0-9]+)>")


class AgentDirectory(Protocol):
    """Who the desk's agents are (configured ids or a user group) and what they are called."""

    async def is_agent(self, user_id: str) -> bool: ...

    async def name_of(self, user_id: str) -> str: ...


@dataclass(frozen=True, slots=True)
class RelayedMessage:
    """Where an agent's desk message went: its outbox row's state and the supplier-side message id."""

    status: str  # pending | sending | sent | failed
    platform_message_id: str


class RelayLookup(Protocol):
    async def relayed(self, source_ref: str) -> RelayedMessage | None: ...


class HandoffDesk:
    def __init__(self, *, service: HandoffService, agents: AgentDirectory, relays: RelayLookup) -> None:
        self._service = service
        self._agents = agents
        self._relays = relays

    async def handle(self, message: IncomingMessage) -> list[OutgoingMessage]:
        """Do what the desk message asks; the service queues the effects, this returns private answers."""
        clicked = parse_button(message.callback_data)
        if clicked is not None:
            return await self._clicked(message, *clicked)
        esc = await self._service.store.find_by_card(message.conversation.thread_id)
        if esc is None:
            return []  # talk in the support channel that is not about an escalation
        if message.deleted or message.edited:
            return await self._changed(message, esc)
        return await self._thread_message(message, esc)

    async def _agent(self, message: IncomingMessage) -> Agent | None:
        user = message.sender.id
        if not await self._agents.is_agent(user):
            return None
        name = await self._agents.name_of(user) or message.sender.display_name
        return Agent(f"{message.platform.value}:{user}", name)

    async def _clicked(
        self, message: IncomingMessage, action: str, escalation_id: int, picked: str = ""
    ) -> list[OutgoingMessage]:
        esc = await self._service.store.get(escalation_id)
        if esc is None:
            return self._private(message, f"Escalation #{escalation_id} no longer exists.")
        agent = await self._agent(message)
        if agent is None:
            return self._private(message, "Only support agents can handle escalations.", esc)
        operations = {
            "claim": self._service.claim,
            "unassign": self._service.unassign,
            "resolve": self._service.resolve,
            "return": self._service.return_to_bot,
        }
        if action == SUGGEST:
            return await self._suggestion(message, esc)
        outcome: Outcome
        if action == "transfer" and picked:
            if not await self._agents.is_agent(picked):
                return self._private(message, "Not done: that person is not a support agent.", esc)
            to = Agent(f"{message.platform.value}:{picked}", await self._agents.name_of(picked))
            outcome = await self._service.transfer(escalation_id, agent, to)
        else:
            operation = operations.get(action)
            if operation is None:
                return self._private(message, "This button has expired.", esc)
            outcome = await operation(escalation_id, agent)
        if not outcome.ok:
            return self._private(message, f"Not done: {outcome.problem}.", outcome.escalation or esc)
        return []

    async def _suggestion(self, message: IncomingMessage, esc: Escalation) -> list[OutgoingMessage]:
        """A draft shown only to the agent who asked: nothing reaches the supplier until they send it."""
        if not esc.is_open:
            return self._private(message, f"Escalation #{esc.id} is {esc.status.value}.", esc)
        draft = await self._service.help.suggest(esc)
        if draft is None:
            text = "No suggestion this time: the model gave nothing usable (or nothing it could back up)."
        else:
            text = f"{SUGGESTION_HEAD}\n{draft}"
        return self._private(message, text, esc)

    async def _thread_message(self, message: IncomingMessage, esc: Escalation) -> list[OutgoingMessage]:
        text = await self._names_for_mentions(message.rich_text or message.text)
        agent = await self._agent(message)
        if NOTE_PREFIX.match(message.text):
            who = agent or Agent(f"{message.platform.value}:{message.sender.id}", message.sender.display_name)
            await self._service.note(esc.id, who, NOTE_PREFIX.sub("", text, count=1).strip(), on_desk=False)
            return []
        if agent is None or esc.assignee is None or esc.assignee.id != agent.id:
            who = agent or Agent(f"{message.platform.value}:{message.sender.id}", message.sender.display_name)
            await self._service.note(esc.id, who, text, on_desk=False)
            holder = esc.assignee.display if esc.assignee else "nobody yet (claim it first)"
            hint = f"Only the assignee is heard by the supplier; this stays internal. It is held by {holder}."
            return self._private(message, hint, esc)
        outcome = await self._service.reply(
            esc.id,
            agent,
            text,
            files=message.attachments,
            source_ref=self.source_ref(message),
            on_desk=False,
        )
        return [] if outcome.ok else self._private(message, f"Not sent: {outcome.problem}.", esc)

    async def _changed(self, message: IncomingMessage, esc: Escalation) -> list[OutgoingMessage]:
        """An agent edited or deleted a message that was relayed: follow it on the supplier's side."""
        ref = f"{message.conversation.chat_id}:{message.edited_message_id}"
        relayed = await self._relays.relayed(ref)
        if relayed is None:
            return []  # not a relayed message (a note, a hint): nothing to follow
        verb = "delete" if message.deleted else "edit"
        if relayed.status != "sent" or not relayed.platform_message_id:
            problem = (
                f"Could not {verb} it for the supplier: the message was not delivered ({relayed.status})."
            )
            return list(self._service.desk_reply(esc, problem))
        agent = await self._agent(message)
        if agent is None:
            return []
        outcome = await self._service.follow_edit(
            esc.id,
            agent,
            target=relayed.platform_message_id,
            text="" if message.deleted else await self._names_for_mentions(message.rich_text or message.text),
            source_ref=ref,
        )
        return (
            []
            if outcome.ok
            else list(self._service.desk_reply(esc, f"Could not {verb} it: {outcome.problem}."))
        )

    async def _names_for_mentions(self, text: str) -> str:
        """`<@U123>` becomes "@Ann", so the supplier never sees an internal id."""
        for user in set(_MENTION.findall(text)):
            name = await self._agents.name_of(user) or "a colleague"
            text = text.replace(f"<@{user}>", f"@{name}")
        return text

    def _private(
        self, message: IncomingMessage, text: str, esc: Escalation | None = None
    ) -> list[OutgoingMessage]:
        """An answer only the sender sees, where they wrote (the card's thread when known)."""
        if esc is not None and self._service.has_desk:
            return list(self._service.desk_reply(esc, text, visible_to=message.sender.id))
        return [OutgoingMessage(message.conversation, text, kind="desk", visible_to=message.sender.id)]

    @staticmethod
    def source_ref(message: IncomingMessage) -> str:
        return f"{message.conversation.chat_id}:{message.message_id}"

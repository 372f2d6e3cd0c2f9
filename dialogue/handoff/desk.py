"""Agents at a chat desk (the Slack support channel): button clicks and thread messages, as commands.

The desk translates each message into one agent command (dialogue/handoff/commands.py) for
`HandoffService.execute`, the same way in as the web console and the CLI, and answers the sender.
A click on Claim, Unassign, Resolve or Return to bot is that command ("Suggest a reply", with llm.uses
assist, answers the clicker alone with a draft and sends nothing); a refusal (not an agent, lost the race,
not the assignee) is answered with a message only the clicker sees. In a card's thread, only the
assignee's messages are a `Reply`; a message starting with `note:`, or from anyone else, is a `Note`
(the latter with a hint). Edits and deletions of relayed messages are a `FollowEdit`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from dialogue.handoff.card import SUGGEST, parse_button
from dialogue.handoff.commands import (
    AgentCommand,
    Claim,
    FollowEdit,
    Note,
    Reply,
    Resolve,
    ReturnToBot,
    Suggest,
    Transfer,
    Unassign,
)
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


@dataclass(frozen=True, slots=True)
class DeskTurn:
    """What one desk message asks: a command (None: nothing to do), the escalation it is about, and what
    the sender is told whatever the outcome (a refusal before any command, a hint)."""

    command: AgentCommand | None = None
    escalation: Escalation | None = None
    answers: tuple[OutgoingMessage, ...] = ()


# A card's buttons, as commands; "transfer" needs the person picked, "suggest" is offered with assist.
BUTTONS: Mapping[str, Callable[[int, Agent], AgentCommand]] = {
    "claim": Claim,
    "unassign": Unassign,
    "resolve": Resolve,
    "return": ReturnToBot,
    SUGGEST: Suggest,
}


class HandoffDesk:
    def __init__(self, *, service: HandoffService, agents: AgentDirectory, relays: RelayLookup) -> None:
        self._service = service
        self._agents = agents
        self._relays = relays

    async def handle(self, message: IncomingMessage) -> list[OutgoingMessage]:
        """Do what the desk message asks; the service queues the effects, this returns private answers."""
        turn = await self.translate(message)
        if turn.command is None:
            return list(turn.answers)
        outcome = await self._service.execute(turn.command)
        return [*turn.answers, *self._answer(message, turn, turn.command, outcome)]

    async def translate(self, message: IncomingMessage) -> DeskTurn:
        """The command a desk message stands for (with who sent it, checked against the agents)."""
        clicked = parse_button(message.callback_data)
        if clicked is not None:
            return await self._clicked(message, *clicked)
        esc = await self._service.store.find_by_card(message.conversation.thread_id)
        if esc is None:
            return DeskTurn()  # talk in the support channel that is not about an escalation
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
    ) -> DeskTurn:
        esc = await self._service.store.get(escalation_id)
        if esc is None:
            return self._refused(message, f"Escalation #{escalation_id} no longer exists.")
        agent = await self._agent(message)
        if agent is None:
            return self._refused(message, "Only support agents can handle escalations.", esc)
        if action == "transfer" and picked:
            if not await self._agents.is_agent(picked):
                return self._refused(message, "Not done: that person is not a support agent.", esc)
            to = Agent(f"{message.platform.value}:{picked}", await self._agents.name_of(picked))
            return DeskTurn(Transfer(esc.id, agent, to), esc)
        command = BUTTONS.get(action)
        if command is None:
            return self._refused(message, "This button has expired.", esc)
        return DeskTurn(command(esc.id, agent), esc)

    async def _thread_message(self, message: IncomingMessage, esc: Escalation) -> DeskTurn:
        text = await self._names_for_mentions(message.rich_text or message.text)
        agent = await self._agent(message)
        who = agent or Agent(f"{message.platform.value}:{message.sender.id}", message.sender.display_name)
        if NOTE_PREFIX.match(message.text):
            return DeskTurn(Note(esc.id, who, NOTE_PREFIX.sub("", text, count=1).strip(), on_desk=False), esc)
        if agent is None or esc.assignee is None or esc.assignee.id != agent.id:
            holder = esc.assignee.display if esc.assignee else "nobody yet (claim it first)"
            hint = f"Only the assignee is heard by the supplier; this stays internal. It is held by {holder}."
            return DeskTurn(
                Note(esc.id, who, text, on_desk=False), esc, tuple(self._private(message, hint, esc))
            )
        reply = Reply(
            esc.id,
            agent,
            text,
            files=message.attachments,
            source_ref=self.source_ref(message),
            on_desk=False,
        )
        return DeskTurn(reply, esc)

    async def _changed(self, message: IncomingMessage, esc: Escalation) -> DeskTurn:
        """An agent edited or deleted a message that was relayed: follow it on the supplier's side."""
        ref = f"{message.conversation.chat_id}:{message.edited_message_id}"
        relayed = await self._relays.relayed(ref)
        if relayed is None:
            return DeskTurn()  # not a relayed message (a note, a hint): nothing to follow
        if relayed.status != "sent" or not relayed.platform_message_id:
            verb = "delete" if message.deleted else "edit"
            problem = (
                f"Could not {verb} it for the supplier: the message was not delivered ({relayed.status})."
            )
            return DeskTurn(escalation=esc, answers=self._service.desk_reply(esc, problem))
        agent = await self._agent(message)
        if agent is None:
            return DeskTurn()
        text = "" if message.deleted else await self._names_for_mentions(message.rich_text or message.text)
        return DeskTurn(FollowEdit(esc.id, agent, relayed.platform_message_id, text, source_ref=ref), esc)

    def _answer(
        self, message: IncomingMessage, turn: DeskTurn, command: AgentCommand, outcome: Outcome
    ) -> list[OutgoingMessage]:
        """What the sender is told of the outcome: a draft, or why it was not done (nothing when done)."""
        match command:
            case Suggest():
                text = f"{SUGGESTION_HEAD}\n{outcome.draft}" if outcome.ok else _sentence(outcome.problem)
                return self._private(message, text, outcome.escalation or turn.escalation)
            case _ if outcome.ok:
                return []
            case Note():
                return []
            case Reply():
                return self._private(message, f"Not sent: {outcome.problem}.", turn.escalation)
            case FollowEdit() if turn.escalation is not None:
                verb = "edit" if command.text else "delete"
                return list(
                    self._service.desk_reply(turn.escalation, f"Could not {verb} it: {outcome.problem}.")
                )
            case _:
                return self._private(
                    message, f"Not done: {outcome.problem}.", outcome.escalation or turn.escalation
                )

    async def _names_for_mentions(self, text: str) -> str:
        """`<@U123>` becomes "@Ann", so the supplier never sees an internal id."""
        for user in set(_MENTION.findall(text)):
            name = await self._agents.name_of(user) or "a colleague"
            text = text.replace(f"<@{user}>", f"@{name}")
        return text

    def _refused(self, message: IncomingMessage, text: str, esc: Escalation | None = None) -> DeskTurn:
        return DeskTurn(escalation=esc, answers=tuple(self._private(message, text, esc)))

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


def _sentence(problem: str) -> str:
    return f"{problem[:1].upper()}{problem[1:]}."

"""The handoff's relay: agents' notes, replies and edits to the supplier, the supplier's words on the desk.

Only the assignee's reply reaches the supplier (translated when `AgentHelp` says so); anyone else's stays
internal. Each queues its messages with an audit event in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialogue.handoff.agent_help import LANGUAGES, Outbound
from dialogue.handoff.core import HandoffCore
from dialogue.handoff.model import Agent, Escalation, Event
from dialogue.handoff.requests import Outcome, assignee_only
from dialogue.handoff.store import Effects
from dialogue.messages import Attachment, ConversationKey, IncomingMessage, OutgoingMessage, Relay


class AgentRelay(HandoffCore):
    async def note(self, escalation_id: int, agent: Agent, text: str, *, on_desk: bool) -> Outcome:
        """An internal note, never sent to the supplier; `on_desk` mirrors it to the card's thread."""
        esc = await self.store.get(escalation_id)
        if esc is None:
            return Outcome(None, False, f"no escalation #{escalation_id}")
        messages = self.desk.note(esc, f"Note from {agent.display}: {text}") if on_desk else ()
        await self.store.append_event(
            esc.id, Event("note", agent.id, self._clock(), {"text": text}), Effects(messages)
        )
        return Outcome(esc, True)

    async def reply(
        self,
        escalation_id: int,
        agent: Agent,
        text: str,
        *,
        files: Sequence[Attachment] = (),
        source_ref: str = "",
        on_desk: bool,
    ) -> Outcome:
        """Relay the assignee's message to the supplier; anyone else's stays internal.

        `source_ref` is the agent's message on the desk (a Slack ts), which gets the delivery receipt.
        `on_desk` mirrors a reply written elsewhere (console, CLI) into the card's thread.
        """
        esc = await self.store.get(escalation_id)
        if esc is None:
            return Outcome(None, False, f"no escalation #{escalation_id}")
        problem = assignee_only(agent)(esc)
        if problem:
            return Outcome(esc, False, problem)
        out = await self.help.outbound(esc, text) if text.strip() else Outbound(text)
        if out.problem:
            await self.help.refused(esc, agent.id, text, out)
            return Outcome(esc, False, out.problem)
        key = ConversationKey.parse(esc.conversation_key)
        relay = OutgoingMessage(
            key,
            out.text,
            kind="relay",
            format="markdown",
            files=tuple(files),
            relay=Relay(esc.id, agent.id, receipt_for=source_ref),
            # the agent's words; the supplier gets the translation
            metadata={"original": out.original} if out.original else {},
        )
        messages = [relay]
        written = out.original or out.text
        sent = f"sent in {LANGUAGES.get(esc.language, esc.language)}: {out.text}" if out.original else ""
        if on_desk:
            quoted = f"\n↳ {sent}" if sent else ""
            messages.extend(self.desk.note(esc, f"{agent.display} (to the supplier): {written}{quoted}"))
        elif sent:
            messages.extend(self.desk.note(esc, "S" + sent[1:]))  # under the agent's own words
        data = {"text": written, "files": len(files), "source_ref": source_ref}
        if out.original:
            data.update({"sent": out.text, "language": esc.language})
        await self.store.append_event(
            esc.id, Event("agent_message", agent.id, self._clock(), data), Effects(tuple(messages))
        )
        return Outcome(esc, True)

    async def follow_edit(
        self, escalation_id: int, agent: Agent, *, target: str, text: str, source_ref: str
    ) -> Outcome:
        """Apply the assignee's edit (empty `text`: deletion) of a relayed message for the supplier."""
        esc = await self.store.get(escalation_id)
        if esc is None:
            return Outcome(None, False, f"no escalation #{escalation_id}")
        out = await self.help.outbound(esc, text) if text.strip() else Outbound(text)
        if out.problem:
            await self.help.refused(esc, agent.id, text, out)
            return Outcome(esc, False, out.problem)
        key = ConversationKey.parse(esc.conversation_key)
        change = OutgoingMessage(
            key,
            out.text,
            kind="relay",
            edit_of=target if text else "",
            delete_of="" if text else target,
            format="markdown",
            relay=Relay(esc.id, agent.id),
        )
        kind = "agent_edit" if text else "agent_delete"
        await self.store.append_event(
            esc.id,
            Event(
                kind, agent.id, self._clock(), {"text": out.original or out.text, "source_ref": source_ref}
            ),
            Effects((change,)),
        )
        return Outcome(esc, True)

    def desk_reply(self, esc: Escalation, text: str, *, visible_to: str = "") -> tuple[OutgoingMessage, ...]:
        """A message to the desk about `esc` (a refusal shown to one agent, a hint)."""
        return self.desk.note(esc, text, visible_to=visible_to)

    def mirror(self, esc: Escalation, message: IncomingMessage) -> tuple[OutgoingMessage, ...]:
        """The supplier's message as it appears in the card's thread (none without a desk)."""
        return self.desk.mirror(esc, message)

    async def relay_in(self, esc: Escalation, message: IncomingMessage) -> tuple[OutgoingMessage, ...]:
        """`mirror`, with the agents' translation under it (handoff.agent_language and llm `translate`)."""
        return self.desk.mirror(esc, message, translation=await self.help.inbound(esc, message))

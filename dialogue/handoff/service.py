"""The handoff service: one state machine per escalation, the same for every desk (Slack, console, CLI).

Triggers open an escalation (`escalate`, the supplier's `reopen`/`withdraw`); agents act through
`execute`, with one typed command from whichever desk (dialogue/handoff/commands.py): claim, unassign,
transfer, resolve, return to the bot, take over, reply, note, follow an edit, suggest a reply; `close`
ends it. The transition machinery is in core.py, the relay between agent and supplier in relay.py.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import assert_never

from dialogue.handoff.commands import (
    AgentCommand,
    Claim,
    FollowEdit,
    Note,
    Reply,
    Resolve,
    ReturnToBot,
    Suggest,
    TakeOver,
    Transfer,
    Unassign,
)
from dialogue.handoff.core import ATTEMPTS
from dialogue.handoff.model import Agent, Escalation, Event, Priority, Reason, Status, TurnLine
from dialogue.handoff.relay import AgentRelay
from dialogue.handoff.requests import EscalationRequest, Outcome, assignee_only
from dialogue.handoff.store import Effects
from dialogue.handoff.survey import csat_question
from dialogue.handoff.texts import notice
from dialogue.messages import ConversationKey, OutgoingMessage

logger = logging.getLogger(__name__)

__all__ = ["ATTEMPTS", "NO_SUGGESTION", "HandoffService"]

NO_SUGGESTION = "no suggestion this time: the model gave nothing usable (or nothing it could back up)"


class HandoffService(AgentRelay):
    async def execute(self, command: AgentCommand) -> Outcome:
        """Carry out an agent's command, from whichever desk it came; a refusal says why in the outcome."""
        match command:
            case Claim():
                return await self._claim(command.escalation_id, command.agent)
            case Unassign():
                return await self._unassign(command.escalation_id, command.agent)
            case Transfer():
                return await self._transfer(command.escalation_id, command.agent, command.to)
            case Resolve():
                return await self._resolve(command.escalation_id, command.agent)
            case ReturnToBot():
                return await self._return_to_bot(command.escalation_id, command.agent)
            case TakeOver():
                return await self._take_over(command.conversation_key, command.agent, command.language)
            case Reply():
                return await self.reply(
                    command.escalation_id,
                    command.agent,
                    command.text,
                    files=command.files,
                    source_ref=command.source_ref,
                    on_desk=command.on_desk,
                )
            case Note():
                return await self.note(
                    command.escalation_id, command.agent, command.text, on_desk=command.on_desk
                )
            case FollowEdit():
                return await self.follow_edit(
                    command.escalation_id,
                    command.agent,
                    target=command.target,
                    text=command.text,
                    source_ref=command.source_ref,
                )
            case Suggest():
                return await self._suggest(command.escalation_id)
            case _:
                assert_never(command)

    # --- triggers ----------------------------------------------------------------------------

    async def escalate(self, request: EscalationRequest) -> tuple[Escalation, bool]:
        """Open an escalation; (it, True) when new, (the open one, False) when one was already open.

        A second trigger changes no state: it adds an event and a note on the card.
        """
        now = self._clock()
        existing = await self.store.open_for(request.conversation_key)
        if existing is not None:
            if await self.store.created_by_request(existing.id, request.request_id):
                return existing, True  # the same message, processed again
            event = Event("trigger", "bot", now, {"reasons": [r.describe() for r in request.reasons]})
            note = "Triggered again: " + "; ".join(r.describe() for r in request.reasons)
            await self.store.append_event(
                existing.id,
                event,
                Effects((*await self.desk.card(existing, extra=note), *self.desk.note(existing, note))),
            )
            return existing, False
        supplier = await self._backend.get_supplier(request.supplier_id) if request.supplier_id else None
        summary = await self.store.recent_turns(request.conversation_key, self._settings.history_turns)
        if request.text.strip():
            summary = [*summary, TurnLine("supplier", request.text)]
        draft = Escalation(
            id=0,
            conversation_key=request.conversation_key,
            status=Status.PENDING,
            priority=request.priority,
            reasons=request.reasons,
            language=request.language,
            created_at=now,
            claim_due_at=self.due(now, self._settings.claim_sla_minutes),
            resolve_due_at=self.due(now, self._settings.resolve_sla_minutes),
            updated_at=now,
            version=0,
            supplier_id=request.supplier_id,
            supplier_name=supplier.name if supplier else "",
            user_name=request.user_name,
            summary=tuple(summary[-self._settings.history_turns :]),
            order_ids=request.order_ids,
            invoice_ids=request.invoice_ids,
        )
        records = await self.desk.records(draft)
        event = Event(
            "created",
            "bot",
            now,
            {
                "reasons": [{"code": r.code, "detail": r.detail} for r in request.reasons],
                "priority": request.priority.value,
                "request_id": request.request_id,
            },
        )
        created = await self.store.create(draft, event, self.desk.card_effects(records))
        if created is None:  # another turn opened one meanwhile
            again = await self.store.open_for(request.conversation_key)
            if again is None:
                raise LookupError(f"{request.conversation_key}: escalation vanished while opening one")
            return again, False
        logger.info("escalation %s opened for %s: %s", created.id, created.conversation_key, created.reasons)
        self._observe(created, "created")
        self.help.summarise_later(created)  # after the notice and the card: never delays them
        return created, True

    async def _take_over(self, conversation_key: str, agent: Agent, language: str) -> Outcome:
        """An agent takes a conversation from the bot (no trigger needed); the bot goes silent at once."""
        now = self._clock()
        existing = await self.store.open_for(conversation_key)
        if existing is not None:
            return await self._claim(existing.id, agent)
        draft = Escalation(
            id=0,
            conversation_key=conversation_key,
            status=Status.ASSIGNED,
            priority=Priority.NORMAL,
            reasons=(Reason("agent_takeover", f"taken over by {agent.display}"),),
            language=language,
            created_at=now,
            claim_due_at=now,
            resolve_due_at=self.due(now, self._settings.resolve_sla_minutes),
            updated_at=now,
            version=0,
            summary=tuple(await self.store.recent_turns(conversation_key, self._settings.history_turns)),
            assignee=agent,
            assigned_at=now,
        )
        key = ConversationKey.parse(conversation_key)
        told = OutgoingMessage(key, notice("taken_over", language, agent=agent.display), kind="handoff")

        def effects(created: Escalation) -> Effects:
            return Effects(messages=(told, *self.desk.card_message(created, ())))

        created = await self.store.create(
            draft, Event("assigned", agent.id, now, {"takeover": True}), effects
        )
        if created is not None:
            self.help.summarise_later(created)
        return Outcome(created, created is not None, "" if created else "the conversation was just escalated")

    # --- agents ------------------------------------------------------------------------------

    async def _claim(self, escalation_id: int, agent: Agent) -> Outcome:
        def check(esc: Escalation) -> str:
            if esc.status == Status.ASSIGNED and esc.assignee is not None:
                return "" if esc.assignee.id == agent.id else f"already claimed by {esc.assignee.display}"
            return "" if esc.status == Status.PENDING else f"escalation #{esc.id} is {esc.status.value}"

        def change(esc: Escalation) -> Escalation | None:
            if esc.assignee is not None and esc.assignee.id == agent.id:
                return None  # already theirs: nothing to do
            return replace(esc, status=Status.ASSIGNED, assignee=agent, assigned_at=self._clock())

        return await self.transition(escalation_id, agent, "assigned", check, change, told="claimed")

    async def _unassign(self, escalation_id: int, agent: Agent) -> Outcome:
        def change(esc: Escalation) -> Escalation:
            due = self.due(self._clock(), self._settings.claim_sla_minutes)  # the claim clock starts again
            return replace(
                esc,
                status=Status.PENDING,
                assignee=None,
                assigned_at=None,
                claim_due_at=due,
                renotified_at=None,
            )

        def call(esc: Escalation) -> tuple[OutgoingMessage, ...]:
            text = (
                f"Back in the queue: {agent.display} unassigned escalation #{esc.id}. Can someone claim it?"
            )
            return self.desk.note(esc, text, notify=self.audience)

        return await self.transition(
            escalation_id,
            agent,
            "unassigned",
            assignee_only(agent),
            change,
            told="unassigned",
            extra=call,
        )

    async def _transfer(self, escalation_id: int, agent: Agent, to: Agent) -> Outcome:
        def change(esc: Escalation) -> Escalation:
            return replace(esc, assignee=to, assigned_at=self._clock())

        return await self.transition(
            escalation_id,
            agent,
            "transferred",
            assignee_only(agent),
            change,
            told="transferred",
            data={"to": to.id},
        )

    async def _resolve(self, escalation_id: int, agent: Agent) -> Outcome:
        """Close the conversation with the supplier, who is told, and asked to rate it (see `survey_due`)."""
        esc = await self.store.get(escalation_id)
        unnoted = await self._unnoted(esc)
        if unnoted is not None:
            return unnoted
        survey = esc is not None and await self.survey_due(esc)

        def change(esc: Escalation) -> Escalation:
            now = self._clock()
            return replace(
                esc, status=Status.RESOLVED, resolved_at=now, csat_asked_at=now if survey else None
            )

        def ask(esc: Escalation) -> list[OutgoingMessage]:
            return [csat_question(esc)] if survey else []

        return await self.transition(
            escalation_id,
            agent,
            "resolved",
            assignee_only(agent),
            change,
            told="resolved",
            extra=ask,
        )

    async def survey_due(self, esc: Escalation) -> bool:
        """A survey after a resolution, at most once per supplier per `handoff.csat_cooldown_hours`."""
        if not self._settings.csat:
            return False
        last = await self.store.last_survey(esc.supplier_id, esc.conversation_key)
        cooldown = timedelta(hours=self._settings.csat_cooldown_hours)
        return last is None or self._clock() - last >= cooldown

    async def _return_to_bot(self, escalation_id: int, agent: Agent) -> Outcome:
        unnoted = await self._unnoted(await self.store.get(escalation_id))
        if unnoted is not None:
            return unnoted

        def check(esc: Escalation) -> str:
            if esc.status == Status.PENDING:
                return ""  # any agent may hand back an escalation nobody has claimed
            return assignee_only(agent)(esc)

        def change(esc: Escalation) -> Escalation:
            return replace(esc, status=Status.RETURNED)

        return await self.transition(escalation_id, agent, "returned", check, change, told="returned")

    async def _suggest(self, escalation_id: int) -> Outcome:
        """A draft reply for the asking agent alone (llm.uses assist): nothing is sent or recorded."""
        esc = await self.store.get(escalation_id)
        if esc is None:
            return Outcome(None, False, f"no escalation #{escalation_id}")
        if not esc.is_open:
            return Outcome(esc, False, f"escalation #{esc.id} is {esc.status.value}")
        draft = await self.help.suggest(esc)
        return Outcome(esc, True, draft=draft) if draft else Outcome(esc, False, NO_SUGGESTION)

    async def withdraw(self, conversation_key: str, actor: str) -> Outcome:
        """The supplier cancels while waiting. Call from the supplier's own turn, which unmutes the bot."""
        esc = await self.store.open_for(conversation_key)
        if esc is None or esc.status != Status.PENDING:
            return Outcome(esc, False, "nothing is waiting for an agent")

        def check(current: Escalation) -> str:
            return (
                ""
                if current.status == Status.PENDING
                else f"escalation #{current.id} is {current.status.value}"
            )

        def change(current: Escalation) -> Escalation:
            return replace(current, status=Status.WITHDRAWN)

        return await self.transition(esc.id, Agent(actor), "withdrawn", check, change)

    async def close(self, escalation_id: int) -> Outcome:
        """Close a resolved escalation (after handoff.auto_close_hours)."""

        def check(esc: Escalation) -> str:
            return "" if esc.status == Status.RESOLVED else f"escalation #{esc.id} is {esc.status.value}"

        def change(esc: Escalation) -> Escalation:
            return replace(esc, status=Status.CLOSED, closed_at=self._clock())

        return await self.transition(escalation_id, Agent("system:auto-close"), "closed", check, change)

    async def reopen(self, esc: Escalation, message_text: str) -> Outcome:
        """The supplier wrote again after a resolution, before it closed: back to the same agent."""

        def check(current: Escalation) -> str:
            return (
                ""
                if current.status == Status.RESOLVED
                else f"escalation #{current.id} is {current.status.value}"
            )

        def change(current: Escalation) -> Escalation:
            now = self._clock()
            return replace(
                current,
                status=Status.ASSIGNED,
                resolved_at=None,
                resolve_due_at=self.due(now, self._settings.resolve_sla_minutes),
                warned_at=None,
                breached_at=None,
            )

        def note(current: Escalation) -> tuple[OutgoingMessage, ...]:
            return self.desk.note(
                current, f"Reopened: the supplier wrote again: {message_text[:300]}", notify_assignee=True
            )

        return await self.transition(
            esc.id, Agent("supplier"), "reopened", check, change, told="reopened", extra=note
        )

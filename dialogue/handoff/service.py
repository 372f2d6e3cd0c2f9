"""The handoff service: one state machine per escalation, the same for every desk (Slack, console, CLI).

Every change is a compare-and-set on the escalation's version, so of two agents claiming at once
exactly one wins; it appends an audit event and queues its messages (the supplier's notice, the desk
card's update) in the same transaction. Time comes from the injected clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from dialogue.backend import Backend
from dialogue.clock import Clock
from dialogue.handoff import triggers
from dialogue.handoff.desk_posts import DeskPosts
from dialogue.handoff.model import Agent, Escalation, Event, Priority, Reason, Status, TurnLine
from dialogue.handoff.requests import EscalationRequest, Outcome, assignee_only
from dialogue.handoff.sla import business_hours
from dialogue.handoff.store import Effects, EscalationStore
from dialogue.handoff.survey import csat_question
from dialogue.handoff.texts import notice
from dialogue.messages import Attachment, ConversationKey, IncomingMessage, OutgoingMessage
from dialogue.settings import HandoffSettings

logger = logging.getLogger(__name__)

ATTEMPTS = 5  # compare-and-set retries before giving up on a busy escalation


class HandoffService:
    def __init__(
        self,
        *,
        store: EscalationStore,
        backend: Backend,
        clock: Clock,
        settings: HandoffSettings,
        desk: ConversationKey | None,
        observer: Callable[[Escalation, str], None] | None = None,
        audience: tuple[str, ...] = (),
    ) -> None:
        """`desk` is where cards go (the Slack support channel); None: agents use the console or CLI."""
        self.store = store
        self._backend = backend
        self._clock = clock
        self._settings = settings
        self._hours = business_hours(settings.business_hours)
        self.desk = DeskPosts(desk=desk, store=store, backend=backend)
        self._observer = observer
        self.audience = audience  # who a call for an agent mentions on the desk: "group:S1" or "user:U1"

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
        return created, True

    async def take_over(self, conversation_key: str, agent: Agent, *, language: str) -> Outcome:
        """An agent takes a conversation from the bot (no trigger needed); the bot goes silent at once."""
        now = self._clock()
        existing = await self.store.open_for(conversation_key)
        if existing is not None:
            return await self.claim(existing.id, agent)
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
            return Effects(messages=(told, *self.desk.card_message(created, ())), controller="human")

        created = await self.store.create(
            draft, Event("assigned", agent.id, now, {"takeover": True}), effects
        )
        return Outcome(created, created is not None, "" if created else "the conversation was just escalated")

    # --- agents ------------------------------------------------------------------------------

    async def claim(self, escalation_id: int, agent: Agent) -> Outcome:
        def check(esc: Escalation) -> str:
            if esc.status == Status.ASSIGNED and esc.assignee is not None:
                return "" if esc.assignee.id == agent.id else f"already claimed by {esc.assignee.display}"
            return "" if esc.status == Status.PENDING else f"escalation #{esc.id} is {esc.status.value}"

        def change(esc: Escalation) -> Escalation | None:
            if esc.assignee is not None and esc.assignee.id == agent.id:
                return None  # already theirs: nothing to do
            return replace(esc, status=Status.ASSIGNED, assignee=agent, assigned_at=self._clock())

        return await self.transition(escalation_id, agent, "assigned", check, change, told="claimed")

    async def unassign(self, escalation_id: int, agent: Agent) -> Outcome:
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

    async def transfer(self, escalation_id: int, agent: Agent, to: Agent) -> Outcome:
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

    async def resolve(self, escalation_id: int, agent: Agent) -> Outcome:
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
            controller="bot",
            extra=ask,
        )

    async def survey_due(self, esc: Escalation) -> bool:
        """A survey after a resolution, at most once per supplier per `handoff.csat_cooldown_hours`."""
        if not self._settings.csat:
            return False
        last = await self.store.last_survey(esc.supplier_id, esc.conversation_key)
        cooldown = timedelta(hours=self._settings.csat_cooldown_hours)
        return last is None or self._clock() - last >= cooldown

    async def return_to_bot(self, escalation_id: int, agent: Agent) -> Outcome:
        unnoted = await self._unnoted(await self.store.get(escalation_id))
        if unnoted is not None:
            return unnoted

        def check(esc: Escalation) -> str:
            if esc.status == Status.PENDING:
                return ""  # any agent may hand back an escalation nobody has claimed
            return assignee_only(agent)(esc)

        def change(esc: Escalation) -> Escalation:
            return replace(esc, status=Status.RETURNED)

        return await self.transition(
            escalation_id, agent, "returned", check, change, told="returned", controller="bot"
        )

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
        key = ConversationKey.parse(esc.conversation_key)
        relay = OutgoingMessage(
            key,
            text,
            kind="relay",
            format="markdown",
            files=tuple(files),
            metadata={"escalation_id": esc.id, "agent": agent.id, "receipt_for": source_ref},
        )
        messages = [relay]
        if on_desk:
            messages.extend(self.desk.note(esc, f"{agent.display} (to the supplier): {text}"))
        data = {"text": text, "files": len(files), "source_ref": source_ref}
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
        key = ConversationKey.parse(esc.conversation_key)
        change = OutgoingMessage(
            key,
            text,
            kind="relay",
            edit_of=target if text else "",
            delete_of="" if text else target,
            format="markdown",
            metadata={"escalation_id": esc.id, "agent": agent.id},
        )
        kind = "agent_edit" if text else "agent_delete"
        await self.store.append_event(
            esc.id,
            Event(kind, agent.id, self._clock(), {"text": text, "source_ref": source_ref}),
            Effects((change,)),
        )
        return Outcome(esc, True)

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

    def now(self) -> datetime:
        return self._clock()

    def due(self, start: datetime, minutes: float) -> datetime:
        """`minutes` of SLA time after `start`, counted in business hours when they are set."""
        return self._hours.add(start, timedelta(minutes=minutes))

    # --- helpers ---------------------------------------------------------------------------

    async def _unnoted(self, esc: Escalation | None) -> Outcome | None:
        """A refusal when `esc` needs an agent's note before it ends (a bank-details request) and has none."""
        if esc is None or not triggers.needs_note(esc):
            return None
        problem = triggers.missing_note(esc, await self.store.events(esc.id))
        return Outcome(esc, False, problem) if problem else None

    def _observe(self, esc: Escalation, kind: str) -> None:
        if self._observer is not None:
            try:
                self._observer(esc, kind)
            except Exception:  # metrics must never break a handoff
                logger.exception("escalation observer failed")

    async def transition(
        self,
        escalation_id: int,
        agent: Agent,
        kind: str,
        check: Callable[[Escalation], str],
        change: Callable[[Escalation], Escalation | None],
        *,
        told: str = "",
        controller: str | None = None,
        data: dict[str, str] | None = None,
        extra: Callable[[Escalation], Sequence[OutgoingMessage]] | None = None,
    ) -> Outcome:
        """Read, check, compare-and-set; on a lost race read again, so the loser learns who won.

        `told` names the supplier's notice; `extra` adds messages made from the changed escalation.
        """
        for _ in range(ATTEMPTS):
            esc = await self.store.get(escalation_id)
            if esc is None:
                return Outcome(None, False, f"no escalation #{escalation_id}")
            problem = check(esc)
            if problem:
                return Outcome(esc, False, problem)
            changed = change(esc)
            if changed is None:
                return Outcome(esc, True)
            now = self._clock()
            changed = replace(changed, updated_at=now)
            messages: list[OutgoingMessage] = list(await self.desk.card(changed))
            if told:
                who = (changed.assignee or agent).display
                text = notice(told, changed.language, agent=who)
                messages.append(
                    OutgoingMessage(ConversationKey.parse(esc.conversation_key), text, kind="handoff")
                )
            if extra is not None:
                messages.extend(extra(changed))
            event = Event(kind, agent.id, now, {"agent": agent.display, **(data or {})})
            done = await self.store.update(changed, event, Effects(tuple(messages), controller))
            if done is not None:
                logger.info("escalation %s %s by %s", done.id, kind, agent.id)
                self._observe(done, kind)
                return Outcome(done, True)
        return Outcome(await self.store.get(escalation_id), False, "the escalation is busy; try again")

    def desk_reply(self, esc: Escalation, text: str, *, visible_to: str = "") -> tuple[OutgoingMessage, ...]:
        """A message to the desk about `esc` (a refusal shown to one agent, a hint)."""
        return self.desk.note(esc, text, visible_to=visible_to)

    def mirror(self, esc: Escalation, message: IncomingMessage) -> tuple[OutgoingMessage, ...]:
        """The supplier's message as it appears in the card's thread (none without a desk)."""
        return self.desk.mirror(esc, message)

    @property
    def has_desk(self) -> bool:
        return self.desk.enabled

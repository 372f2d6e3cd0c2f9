"""The web adapter's view of the running bot: the agent console's backend and the web chat's feed.

Every change is an agent command for `HandoffService.execute` (the same way in as the Slack desk and
the CLI); replies and notes are mirrored to the Slack desk when there is one. Reads come from the
escalation store and `ConsoleReads` (the turn log and the outbox).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from adapters.web import ChatUpdate, ChatUpdates, DemoSupplier, HandoffState, TranscriptLine
from adapters.web.session import MIN_SECRET_CHARS
from bot.config import AppConfig
from bot.errors import ConfigError
from bot.storage.console_reads import ConsoleReads
from bot.storage.escalations import SqlEscalations
from dialogue.clock import Clock
from dialogue.handoff.agent_help import LANGUAGES, REFUSED, TRANSLATED_IN
from dialogue.handoff.commands import AgentCommand
from dialogue.handoff.desk_posts import latest_summary
from dialogue.handoff.model import Agent, Escalation, Event, Reason, Status
from dialogue.handoff.requests import Outcome
from dialogue.handoff.service import HandoffService
from dialogue.messages import ConversationKey

logger = logging.getLogger(__name__)

HISTORY_TURNS = 10  # turns before the escalation shown in its transcript
MAX_TURNS = 500  # turns after it
MAX_UPDATES = 100  # outbox rows per poll of the web chat


def check_web_access(config: AppConfig) -> None:
    """At start-up: remote web use needs WEB_SESSION_SECRET (refused without); warn about a trusted picker.

    The picker (`web.trust_supplier_id`) only ever applies to local requests, but an operator who
    opens the pages to other machines should know that this machine's users still speak for anyone.
    """
    web, secret = config.settings.web, config.secrets.WEB_SESSION_SECRET
    if not web.enabled or not web.allow_remote:
        return
    if len(secret) < MIN_SECRET_CHARS:
        problem = "is not set" if not secret else f"is shorter than {MIN_SECRET_CHARS} characters"
        raise ConfigError(
            f"WEB_SESSION_SECRET {problem}: web.allow_remote serves the web chat to other machines as "
            "signed sessions, and they need a long random key; create one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'` (or turn web.allow_remote off)"
        )
    if web.trust_supplier_id:
        logger.warning(
            "web.allow_remote and web.trust_supplier_id are both on: remote visitors link with a one-time "
            "code, but local requests (127.0.0.1 with a loopback Host) may still speak for any supplier "
            "through the picker; turn web.trust_supplier_id off unless this machine is yours alone"
        )
    if not config.settings.server.proxy_headers:
        logger.info(
            "web.allow_remote without server.proxy_headers: behind a reverse proxy, run with "
            "--proxy-headers so that rate limits see each client's address"
        )


def _who(agent_id: str, esc: Escalation) -> str:
    if esc.assignee is not None and esc.assignee.id == agent_id:
        return esc.assignee.display
    return Agent(agent_id).display


def _reasons(data: object) -> str:
    if not isinstance(data, list):
        return ""
    return "; ".join(
        Reason(str(r.get("code", "")), str(r.get("detail", ""))).describe() if isinstance(r, dict) else str(r)
        for r in data
    )


def _words(code: object) -> str:
    return str(code or "").replace("_", " ")


def describe(event: Event, esc: Escalation) -> TranscriptLine | None:
    """An audit event as a line of the transcript; None for the ones the console does not show."""
    data, at = event.data, event.at
    name = str(data.get("agent") or _who(event.actor, esc))
    texts = {
        "created": f"Escalated: {_reasons(data.get('reasons'))}",
        "trigger": f"Triggered again: {_reasons(data.get('reasons'))}",
        "assigned": f"Taken over by {name}" if data.get("takeover") else f"Claimed by {name}",
        "unassigned": f"{name} gave it back to the queue",
        "transferred": f"{name} passed it to {Agent(str(data.get('to', ''))).display}",
        "resolved": f"Resolved by {name}",
        "returned": f"Returned to the bot by {name}",
        "withdrawn": "The supplier cancelled the request",
        "reopened": "Reopened: the supplier wrote again",
        "closed": "Closed",
        "csat": f"The supplier rated the conversation {data.get('rating', '?')}/5",
        "csat_comment": f"The supplier commented: {esc.csat_comment}",
        "renotified": "Reminder: nobody has claimed it yet",
        "warned": "The resolve deadline is near",
        "breached": "The resolve deadline has passed",
        "agent_edit": f"{name} edited a message: {data.get('text', '')}",
        "agent_delete": f"{name} deleted a message",
        REFUSED: f"Not sent to the supplier (its translation: {_words(data.get('reason'))}): "
        f"{data.get('text', '')}",
    }
    if event.kind == "agent_message":
        text = str(data.get("text", ""))
        if data.get("sent"):
            language = LANGUAGES.get(str(data.get("language", "")), "their language")
            text += f"\n(sent in {language}: {data['sent']})"
        return TranscriptLine("agent", text, at, _who(event.actor, esc))
    if event.kind == TRANSLATED_IN:
        language = LANGUAGES.get(str(data.get("to", "")), "")
        shown = str(data.get("translation") or f"(no translation: {_words(data.get('reason'))})")
        return TranscriptLine("event", f"{language} translation of the supplier's message: {shown}", at)
    if event.kind == "note":
        return TranscriptLine("note", str(data.get("text", "")), at, _who(event.actor, esc))
    said = texts.get(event.kind)
    return TranscriptLine("event", said, at) if said else None


def _ended_at(esc: Escalation) -> datetime | None:
    """When the person's part ended: later turns belong to the bot again."""
    if esc.status in (Status.RETURNED, Status.WITHDRAWN):
        return esc.updated_at
    return esc.resolved_at or esc.closed_at


class WebConsole:
    """`adapters.web.ConsoleBackend` and `adapters.web.ChatFeed` for the running application."""

    def __init__(
        self,
        *,
        handoff: HandoffService,
        escalations: SqlEscalations,
        reads: ConsoleReads,
        clock: Clock,
    ) -> None:
        self._handoff = handoff
        self._escalations = escalations
        self._reads = reads
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    # --- the console: reads --------------------------------------------------------------------

    async def open_escalations(self) -> Sequence[Escalation]:
        """Waiting ones first, high priority first, then the oldest."""
        found = await self._escalations.with_status([Status.PENDING, Status.ASSIGNED], limit=200)
        return sorted(found, key=lambda e: (e.status != Status.PENDING, e.priority.value != "high", e.id))

    async def escalation(self, escalation_id: int) -> Escalation | None:
        return await self._escalations.get(escalation_id)

    async def transcript(self, escalation: Escalation) -> Sequence[TranscriptLine]:
        turns = await self._turns(escalation)
        events = [describe(e, escalation) for e in await self._escalations.events(escalation.id)]
        lines = [*turns, *(line for line in events if line is not None)]
        return sorted(lines, key=lambda line: line.at)  # stable: a turn before an event of the same instant

    async def summary(self, escalation: Escalation) -> Sequence[str]:
        """The model's three checked lines about the conversation (llm.uses assist), once made."""
        return latest_summary(await self._escalations.events(escalation.id))

    @property
    def suggests(self) -> bool:
        return self._handoff.help.assists

    async def _turns(self, esc: Escalation) -> list[TranscriptLine]:
        lines = await self._reads.turns_around(
            esc.conversation_key,
            start=esc.created_at,
            end=_ended_at(esc),
            before=HISTORY_TURNS,
            after=MAX_TURNS,
        )
        return [TranscriptLine("supplier" if x.speaker == "user" else "bot", x.text, x.at) for x in lines]

    # --- the console: changes, all one way in ----------------------------------------------------

    async def execute(self, command: AgentCommand) -> Outcome:
        """The agent's command, carried out by the handoff service (a suggestion's draft sends nothing)."""
        return await self._handoff.execute(command)

    # --- the web chat's feed ------------------------------------------------------------------------

    async def updates(self, conversation: ConversationKey, after: int | None) -> ChatUpdates:
        key = conversation.as_str()
        messages: tuple[ChatUpdate, ...] = ()
        if after is None:
            cursor = await self._reads.latest_outgoing(key)
        else:
            rows = await self._reads.outgoing_after(key, after, limit=MAX_UPDATES)
            messages = tuple(ChatUpdate(row.id, row.message, row.reply_to) for row in rows)
            cursor = rows[-1].id if rows else after
        esc = await self._escalations.open_for(key)
        handoff = None
        if esc is not None:
            handoff = HandoffState(esc.status.value, esc.assignee.display if esc.assignee else "")
        return ChatUpdates(messages, cursor, handoff)

    async def demo_suppliers(self) -> Sequence[DemoSupplier]:
        return [DemoSupplier(sid, name) for sid, name in await self._reads.suppliers(limit=100)]

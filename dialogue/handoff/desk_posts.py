"""What the desk shows about escalations: the card, notes in its thread, the supplier's mirrored messages.

Everything about one escalation is queued under one outbox key, so it is delivered in order; the sender
places it when it is sent (the card is posted once and edited after, thread messages go under it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dialogue.backend import Backend
from dialogue.handoff.card import card_buttons, escalation_card, status_line
from dialogue.handoff.model import Escalation, Event
from dialogue.handoff.store import Effects, EscalationStore
from dialogue.messages import ConversationKey, DeskPlacement, IncomingMessage, OutgoingMessage

# Attachments that can be carried across platforms as files (a location or a contact cannot).
FILE_KINDS = frozenset(
    {"photo", "document", "file", "voice", "audio", "video", "video_note", "animation", "sticker"}
)


SUMMARY_EVENT = "summary"  # the model's three checked lines about the conversation (llm.uses assist)


def latest_summary(events: Sequence[Event]) -> tuple[str, ...]:
    """The lines of the latest summary event (none without one)."""
    for event in reversed(events):
        if event.kind == SUMMARY_EVENT:
            return tuple(str(line) for line in event.data.get("lines", ()))
    return ()


def escalation_key(desk: ConversationKey, escalation_id: int) -> ConversationKey:
    """The key of everything about one escalation on `desk` (thread "esc-<id>"): its outbox order."""
    return ConversationKey(desk.platform, desk.chat_id, f"esc-{escalation_id}")


class DeskPosts:
    def __init__(
        self,
        *,
        desk: ConversationKey | None,
        store: EscalationStore,
        backend: Backend,
        suggest: bool = False,
    ) -> None:
        """`desk` is where cards go (the Slack support channel); None: agents use the console or CLI.

        `suggest` (llm.uses assist) puts "Suggest a reply" on open cards.
        """
        self._desk = desk
        self.store = store
        self._backend = backend
        self._suggest = suggest

    @property
    def enabled(self) -> bool:
        return self._desk is not None

    @property
    def channel(self) -> ConversationKey | None:
        """The desk's channel (cards are posted there, each in its own thread); None without a desk."""
        return self._desk

    def mirror(
        self, esc: Escalation, message: IncomingMessage, *, translation: str = ""
    ) -> tuple[OutgoingMessage, ...]:
        """The supplier's message as it appears in the card's thread (none without a desk).

        `translation` (handoff.agent_language) goes under the original, after an arrow.
        """
        if self._desk is None:
            return ()
        who = esc.user_name or message.sender.display_name or "supplier"
        body = message.rich_text or message.text
        files = tuple(a for a in message.attachments if a.kind in FILE_KINDS)
        others = [a.kind for a in message.attachments if a.kind not in FILE_KINDS]
        if others:
            body = " ".join([*(f"[{kind}]" for kind in others), body]).strip()
        if message.deleted:
            text = f"**{who}** deleted a message"
        elif message.edited:
            text = f"**{who}** (edited): {body}"
        else:
            text = f"**{who}**: {body}" if body else f"**{who}** sent {len(files)} file(s)"
        if translation and not message.deleted:
            text += "\n↳ " + translation  # a plain arrow: every desk shows it as it is
        return (
            OutgoingMessage(
                self.desk_key(esc.id),
                text,
                kind="relay_in",
                format="markdown",
                files=files,
                desk=DeskPlacement(esc.id, "thread"),
            ),
        )

    async def records(self, esc: Escalation) -> list[str]:
        """The related orders and invoices with their current status, from the backend."""
        lines: list[str] = []
        if esc.supplier_id is None:
            return [f"{ref}: (supplier not linked)" for ref in (*esc.order_ids, *esc.invoice_ids)]
        for order_id in esc.order_ids:
            order = await self._backend.get_order(esc.supplier_id, order_id)
            if order is None:
                lines.append(f"{order_id}: not found for this supplier")
                continue
            eta = f", ETA {order.eta.isoformat()}" if order.eta else ""
            lines.append(
                f"{order.id}: {order.status.replace('_', ' ')}, {order.currency} {order.total:,.2f}{eta}"
            )
        for invoice_id in esc.invoice_ids:
            invoice = await self._backend.get_invoice(esc.supplier_id, invoice_id)
            if invoice is None:
                lines.append(f"{invoice_id}: not found for this supplier")
                continue
            lines.append(
                f"{invoice.id}: {invoice.status}, {invoice.currency} {invoice.amount:,.2f}, "
                f"due {invoice.due_date}"
            )
        return lines

    def card_effects(self, records: Sequence[str]) -> Callable[[Escalation], Effects]:
        def effects(created: Escalation) -> Effects:
            return Effects(messages=self.card_message(created, records))

        return effects

    async def card(
        self, esc: Escalation, *, extra: str = "", summary: Sequence[str] = ()
    ) -> tuple[OutgoingMessage, ...]:
        """The card as it stands; `summary` is a summary not yet in the events (the latest one is used)."""
        if self._desk is None:
            return ()
        events = await self.store.events(esc.id) if esc.id else []
        notes = [
            f"Triggered again: {', '.join(e.data.get('reasons', []))}" for e in events if e.kind == "trigger"
        ]
        notes = [*notes, extra] if extra else notes
        return self.card_message(esc, await self.records(esc), notes, summary or latest_summary(events))

    def card_message(
        self,
        esc: Escalation,
        records: Sequence[str],
        notes: Sequence[str] = (),
        summary: Sequence[str] = (),
    ) -> tuple[OutgoingMessage, ...]:
        """The card, posted the first time and updated in place after (the place is resolved when sent)."""
        if self._desk is None:
            return ()
        card = escalation_card(esc, records=records, notes=notes, summary=summary)
        message = OutgoingMessage(
            self.desk_key(esc.id),
            f"{card.title} ({status_line(esc)})",
            card=card,
            buttons=card_buttons(esc, suggest=self._suggest),
            kind="card",
            desk=DeskPlacement(esc.id, "card"),
        )
        return (message,)

    def note(
        self,
        esc: Escalation,
        text: str,
        *,
        visible_to: str = "",
        notify: tuple[str, ...] = (),
        notify_assignee: bool = False,
    ) -> tuple[OutgoingMessage, ...]:
        """A message in the card's thread on the desk (none without a desk), mentioning `notify`."""
        if self._desk is None:
            return ()
        if notify_assignee and esc.assignee is not None:
            platform, _, user = esc.assignee.id.partition(":")
            if platform == self._desk.platform.value:
                notify = (*notify, f"user:{user}")
        message = OutgoingMessage(
            self.desk_key(esc.id),
            text,
            kind="desk",
            visible_to=visible_to,
            notify=notify,
            format="markdown",
            desk=DeskPlacement(esc.id, "thread"),
        )
        return (message,)

    def direct(self, user_id: str, text: str) -> tuple[OutgoingMessage, ...]:
        """A direct message to a person on the desk's platform (the lead, about a breach)."""
        if self._desk is None or not user_id:
            return ()
        return (
            OutgoingMessage(
                ConversationKey(self._desk.platform, user_id), text, kind="desk", format="markdown"
            ),
        )

    def desk_key(self, escalation_id: int) -> ConversationKey:
        """The outbox key of everything about one escalation on the desk, so it is delivered in order."""
        if self._desk is None:
            raise LookupError("no desk is configured")
        return escalation_key(self._desk, escalation_id)

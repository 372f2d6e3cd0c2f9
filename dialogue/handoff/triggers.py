"""When the bot hands a conversation to a person, and the reason it records and shows.

- an explicit request: the intent, `/human`, or the offered "Talk to a person" button;
- N consecutive fallbacks, once the supplier accepts the offer of a person;
- a complaint with negative sentiment (priority high, with the score);
- business rules from config: a VIP supplier (`handoff.vip_suppliers`), and an order above
  `handoff.order_value_threshold` when the conversation is about that order. The threshold is compared
  with the order's own total in the order's own currency (an order has one currency; nothing is summed
  or converted), so 50000 means USD 50,000 for a USD order and EUR 50,000 for a EUR one. The rules fire
  at most once per session: after any escalation in a session, an agent's "return to bot" is not undone.
"""

from __future__ import annotations

from dialogue.backend import Backend
from dialogue.handoff.model import Escalation, Event, Priority, Reason, ReasonCode
from dialogue.messages import IncomingMessage
from dialogue.session import Session
from dialogue.settings import HandoffSettings
from nlu.types import NluResult

HANDOFF_BUTTON = "intent:human_handoff"
RULES_FIRED = "handoff_rules_fired"  # session state: the business rules already applied this session
ALL_RULES = "*"


def explicit_request(message: IncomingMessage) -> Reason:
    if message.command == "human":
        return Reason(ReasonCode.USER_REQUEST, "/human")
    if message.callback_data == HANDOFF_BUTTON:
        return Reason(ReasonCode.USER_REQUEST, "pressed 'Talk to a person'")
    return Reason(ReasonCode.USER_REQUEST, f'"{message.text.strip()[:200]}"')


def repeated_fallback(misunderstood: int) -> Reason:
    return Reason(ReasonCode.REPEATED_FALLBACK, f"{misunderstood} messages not understood; offer accepted")


def complaint(message: IncomingMessage, nlu: NluResult) -> tuple[Reason, Priority]:
    """A complaint; with negative sentiment it is urgent, and the score is shown."""
    score = f"sentiment {nlu.sentiment} ({nlu.sentiment_score:+.2f})"
    priority = Priority.HIGH if nlu.sentiment == "negative" else Priority.NORMAL
    return Reason(ReasonCode.COMPLAINT, f'{score}: "{message.text.strip()[:200]}"'), priority


async def business_rules(
    *,
    session: Session,
    nlu: NluResult,
    order_ids: tuple[str, ...],
    backend: Backend,
    settings: HandoffSettings,
) -> list[Reason]:
    """The configured rules this turn meets and that have not fired yet in this session."""
    fired = set(session.state.get(RULES_FIRED) or ())
    if ALL_RULES in fired:
        return []
    reasons: list[Reason] = []
    supplier_id = session.supplier_id
    if supplier_id and supplier_id in settings.vip_suppliers and "vip" not in fired:
        supplier = await backend.get_supplier(supplier_id)
        reasons.append(Reason(ReasonCode.VIP_SUPPLIER, supplier.name if supplier else supplier_id))
        fired.add("vip")
    if supplier_id and settings.order_value_threshold > 0:
        for order_id in order_ids:
            rule = f"order:{order_id}"
            order = None if rule in fired else await backend.get_order(supplier_id, order_id)
            if order is not None and order.total > settings.order_value_threshold:
                detail = (
                    f"{order.id}: {order.currency} {order.total:,.2f} > {settings.order_value_threshold:,.0f}"
                )
                reasons.append(Reason(ReasonCode.ORDER_VALUE, detail))
                fired.add(rule)
    if reasons:
        session.state[RULES_FIRED] = sorted(fired)
    return reasons


NOTE_FIRST = (
    "a bank-details request is closed only with a note: call back on the registered number, write "
    "what you found as a note, then resolve it (or return it to the bot)"
)
CALL_BACK = "Call back on the registered number before any change. Never change bank details from the chat."


def needs_note(esc: Escalation) -> bool:
    """A request to change bank details (dialogue.risk): it ends only with an agent's note."""
    return any(reason.code == ReasonCode.RISK_BANK_DETAILS for reason in esc.reasons)


def missing_note(esc: Escalation, events: list[Event]) -> str:
    """Why `esc` may not end yet ("" when it may): no agent has written a note on it."""
    if not needs_note(esc) or any(e.kind == "note" and str(e.data.get("text", "")).strip() for e in events):
        return ""
    return NOTE_FIRST


def rules_done_for_session(session: Session) -> None:
    """The conversation reached a person this session: no rule sends it to one again until the next."""
    session.state[RULES_FIRED] = [ALL_RULES]

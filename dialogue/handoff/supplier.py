"""The supplier's side while a person has the conversation: the bot is silent, messages reach the desk."""

from __future__ import annotations

from datetime import timedelta

from dialogue.handoff import triggers
from dialogue.handoff.csat import COMMENT_FORM, Rated, Surveys
from dialogue.handoff.model import Priority, Reason, Status
from dialogue.handoff.requests import EscalationRequest
from dialogue.handoff.service import HandoffService
from dialogue.handoff.silence import hold, release
from dialogue.handoff.survey import parse_rating, typed_rating
from dialogue.handoff.texts import notice
from dialogue.messages import IncomingMessage, OutgoingMessage
from dialogue.session import Session
from nlu.types import NluResult

CANCEL_WORDS = frozenset(
    {"cancel", "/cancel", "never mind", "nevermind", "取消", "取消转人工", "不用了", "算了", "不需要了"}
)


def is_cancel(message: IncomingMessage) -> bool:
    return message.command == "cancel" or message.text.strip().lower().rstrip(".!。！") in CANCEL_WORDS


ESCALATION = "escalation"  # session state: the conversation's latest escalation, while it may come back
COMMENT_ESCALATION = "csat_escalation"  # session slot: the rating a free-text comment belongs to
# Intents that mean a new question, not a comment on the rating just given.
QUESTIONS = frozenset(
    {
        "order_status",
        "payment_status",
        "inventory_query",
        "inventory_update",
        "onboarding",
        "policy_question",
        "help",
        "human_handoff",
        "customer_lookup",
        "sales_summary",
        "customer_industry",
        "recommend_products",
        "product_description",
    }
)


class SupplierSide:
    def __init__(self, service: HandoffService, *, reopen_within: timedelta) -> None:
        self._service = service
        self._surveys = Surveys(service)
        self._reopen_within = reopen_within

    async def survey_answer(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage] | None:
        """A tap on the rating keyboard, or a rating typed while the survey waits; None otherwise."""
        parsed = parse_rating(message.callback_data)
        typed = parsed is None
        if typed:
            parsed = self._typed_answer(message, session)
        if parsed is None:
            return None
        escalation_id, rating = parsed
        rated = await self._surveys.rate(escalation_id, rating, session.key.as_str())
        if rated == Rated.UNKNOWN or (typed and rated == Rated.ALREADY):
            return None  # not this conversation's survey (an expired button), or just a number
        if rated == Rated.THANKS:
            session.active_form = COMMENT_FORM
            session.slots[COMMENT_ESCALATION] = escalation_id
            text = notice("csat_thanks", session.language, rating=str(rating))
        else:
            text = notice("csat_already", session.language)
        return [OutgoingMessage(session.key, text, reply_to=message.message_id, kind="handoff")]

    @staticmethod
    def _typed_answer(message: IncomingMessage, session: Session) -> tuple[int, int] | None:
        """(escalation, rating) when the supplier typed a rating with no form waiting for an answer."""
        escalation_id = session.state.get(ESCALATION)
        rating = typed_rating(message.text) if not message.callback_data else None
        if rating is None or session.active_form is not None or not isinstance(escalation_id, int):
            return None
        return escalation_id, rating

    async def survey_comment(
        self, message: IncomingMessage, session: Session, nlu: NluResult, threshold: float
    ) -> list[OutgoingMessage] | None:
        """The words after a rating are its comment, unless they are a new question (then None)."""
        escalation_id = session.slots.pop(COMMENT_ESCALATION, None)
        session.active_form = None
        question = nlu.intent in QUESTIONS and nlu.confidence >= threshold
        if (
            not isinstance(escalation_id, int)
            or question
            or message.callback_data
            or not message.text.strip()
        ):
            return None
        if not await self._surveys.comment(escalation_id, message.text, session.key.as_str()):
            return None
        text = notice("csat_comment", session.language)
        return [OutgoingMessage(session.key, text, reply_to=message.message_id, kind="handoff")]

    async def maybe_reopen(
        self, message: IncomingMessage, session: Session, nlu: NluResult, threshold: float
    ) -> list[OutgoingMessage] | None:
        """Soon after a resolution, a message the bot cannot answer (or a new request for a person)
        goes back to the agent who resolved it; a question the bot can answer is answered (None)."""
        escalation_id = session.state.get(ESCALATION)
        if not isinstance(escalation_id, int):
            return None
        esc = await self._service.store.get(escalation_id)
        now = self._service.now()
        recent = esc is not None and esc.status == Status.RESOLVED and esc.resolved_at is not None
        if (
            not recent
            or esc is None
            or esc.resolved_at is None
            or now - esc.resolved_at > self._reopen_within
        ):
            if esc is None or esc.status not in (Status.PENDING, Status.ASSIGNED, Status.RESOLVED):
                session.state.pop(ESCALATION, None)
            return None
        misunderstood = nlu.intent == "out_of_scope" or nlu.confidence < threshold
        if not (misunderstood or nlu.intent in ("human_handoff", "complaint")):
            return None
        outcome = await self._service.reopen(esc, message.text)
        if not outcome.ok or outcome.escalation is None:
            return None
        hold(session)
        return list(await self._service.relay_in(outcome.escalation, message))

    async def while_escalated(
        self, message: IncomingMessage, session: Session, nlu: NluResult
    ) -> list[OutgoingMessage] | None:
        """What this message does while escalated; None when nothing is open any more (the bot answers).

        The message is mirrored to the desk. A second trigger (another complaint, another request for a
        person) changes no state: the service adds an event and a note on the card.
        """
        esc = await self._service.store.open_for(session.key.as_str())
        if esc is None:
            release(session)  # closed on the desk meanwhile
            return None
        if esc.status == Status.PENDING and is_cancel(message):
            actor = f"{message.platform.value}:{message.sender.id}"
            outcome = await self._service.withdraw(session.key.as_str(), actor)
            if outcome.ok:
                release(session)
                text = notice("withdrawn", session.language)
                return [OutgoingMessage(session.key, text, reply_to=message.message_id, kind="handoff")]
        again = _trigger(message, nlu)
        if again is not None:
            reason, priority = again
            await self._service.escalate(
                EscalationRequest(
                    conversation_key=esc.conversation_key,
                    reasons=(reason,),
                    language=session.language,
                    request_id=f"{message.platform.value}:{message.external_id}",
                    text=message.text,
                    priority=priority,
                )
            )
        return list(await self._service.relay_in(esc, message))


def _trigger(message: IncomingMessage, nlu: NluResult) -> tuple[Reason, Priority] | None:
    if nlu.intent == "complaint":
        return triggers.complaint(message, nlu)
    if nlu.intent == "human_handoff" or message.command == "human":
        return triggers.explicit_request(message), Priority.NORMAL
    return None

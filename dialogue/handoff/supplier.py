"""The supplier's side while a person has the conversation: the bot is silent, messages reach the desk."""

from __future__ import annotations

from dialogue.handoff import triggers
from dialogue.handoff.model import Priority, Reason, Status
from dialogue.handoff.service import EscalationRequest, HandoffService
from dialogue.handoff.texts import notice
from dialogue.messages import IncomingMessage, OutgoingMessage
from dialogue.session import Session
from nlu.types import NluResult

CANCEL_WORDS = frozenset(
    {"cancel", "/cancel", "never mind", "nevermind", "取消", "取消转人工", "不用了", "算了", "不需要了"}
)


def is_cancel(message: IncomingMessage) -> bool:
    return message.command == "cancel" or message.text.strip().lower().rstrip(".!。！") in CANCEL_WORDS


class SupplierSide:
    def __init__(self, service: HandoffService) -> None:
        self._service = service

    async def while_escalated(
        self, message: IncomingMessage, session: Session, nlu: NluResult
    ) -> list[OutgoingMessage] | None:
        """What this message does while escalated; None when nothing is open any more (the bot answers).

        The message is mirrored to the desk. A second trigger (another complaint, another request for a
        person) changes no state: the service adds an event and a note on the card.
        """
        esc = await self._service.store.open_for(session.key.as_str())
        if esc is None:
            session.controller = "bot"  # closed on the desk meanwhile
            return None
        if esc.status == Status.PENDING and is_cancel(message):
            actor = f"{message.platform.value}:{message.sender.id}"
            outcome = await self._service.withdraw(session.key.as_str(), actor)
            if outcome.ok:
                session.controller = "bot"
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
        return list(self._service.mirror(esc, message))


def _trigger(message: IncomingMessage, nlu: NluResult) -> tuple[Reason, Priority] | None:
    if nlu.intent == "complaint":
        return triggers.complaint(message, nlu)
    if nlu.intent == "human_handoff" or message.command == "human":
        return triggers.explicit_request(message), Priority.NORMAL
    return None

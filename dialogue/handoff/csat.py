"""Ratings of resolved conversations: stored on the escalation, written onto the card, never twice."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from dialogue.handoff.model import Agent, Escalation
from dialogue.handoff.service import HandoffService

COMMENT_FORM = "csat_comment"  # the session's active form while a rating's comment is welcome


class Rated(StrEnum):
    THANKS = "thanks"  # counted
    ALREADY = "already"  # a late or second tap: answered, not counted again
    UNKNOWN = "unknown"  # not this conversation's survey


class Surveys:
    def __init__(self, service: HandoffService) -> None:
        self._service = service

    async def rate(self, escalation_id: int, rating: int, conversation_key: str) -> Rated:
        esc = await self._service.store.get(escalation_id)
        if esc is None or esc.conversation_key != conversation_key or esc.csat_asked_at is None:
            return Rated.UNKNOWN
        if esc.csat_rating is not None:
            return Rated.ALREADY

        def check(current: Escalation) -> str:
            return "" if current.csat_rating is None else "already rated"

        def change(current: Escalation) -> Escalation:
            return replace(current, csat_rating=rating)

        outcome = await self._service.transition(
            escalation_id,
            Agent(f"supplier:{conversation_key}"),
            "csat",
            check,
            change,
            data={"rating": str(rating)},
        )
        return Rated.THANKS if outcome.ok else Rated.ALREADY

    async def comment(self, escalation_id: int, text: str, conversation_key: str) -> bool:
        """Keep the supplier's words with their rating (the first comment only)."""

        def check(current: Escalation) -> str:
            ok = current.conversation_key == conversation_key and current.csat_rating is not None
            return "" if ok and not current.csat_comment else "no rating to comment on"

        def change(current: Escalation) -> Escalation:
            return replace(current, csat_comment=text.strip()[:2000])

        outcome = await self._service.transition(
            escalation_id, Agent(f"supplier:{conversation_key}"), "csat_comment", check, change
        )
        return outcome.ok

"""A supplier's bank details are never changed by chat (payment-diversion fraud).

A message, in any supplier channel and either language, that asks to change bank details or to pay
into another account is not handled by the bot: it goes to a person at high priority, with the reason
`risk: bank details`, the supplier's registered contact and open invoices on the card, and the
supplier is told that the team will call the registered contact. Such an escalation is resolved only
with a note (`dialogue.handoff.triggers.needs_note`). What counts as such a request is the lexicon in
dialogue/data/bank_details.yml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dialogue.actions.base import Reply, TurnContext
from dialogue.handoff import triggers
from dialogue.handoff.model import Priority, Reason, ReasonCode
from dialogue.handoff.requests import EscalationRequest
from dialogue.handoff.silence import hold
from dialogue.handoff.supplier import ESCALATION
from dialogue.messages import ChannelKind

LEXICON_PATH = Path(__file__).parent / "data" / "bank_details.yml"
OUTCOME = "bank_details_escalated"
SUPPLIER_CHANNELS = frozenset({ChannelKind.PRIVATE, ChannelKind.GROUP, ChannelKind.WEB})
OPEN_INVOICES_SHOWN = 10
_WORD = re.compile(r"\S+")


def _alternation(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@dataclass(frozen=True, slots=True)
class _Language:
    nouns: re.Pattern[str]
    verbs: re.Pattern[str]
    fresh: re.Pattern[str]  # "new", "another" right before a noun
    patterns: tuple[re.Pattern[str], ...]
    by_words: bool  # distance in words (English) or in characters (Chinese)


def _language(raw: Any, *, by_words: bool) -> _Language:
    flags = re.IGNORECASE
    nouns = _alternation(raw["nouns"])
    gap = r"\s*(?:bank\s+)?" if by_words else r"(?:的)?(?:银行)?"
    return _Language(
        nouns=re.compile(nouns, flags),
        verbs=re.compile(_alternation(raw["verbs"]), flags),
        fresh=re.compile(f"(?:{_alternation(raw['fresh'])}){gap}(?:{nouns})", flags),
        patterns=tuple(re.compile(p, flags | re.DOTALL) for p in raw.get("patterns") or ()),
        by_words=by_words,
    )


class BankDetailsLexicon:
    """Finds a request to change bank details, or to pay another account, in a message."""

    def __init__(self, raw: Any) -> None:
        self._words = int(raw["window_words"])
        self._chars = int(raw["window_chars"])
        self._languages = (_language(raw["en"], by_words=True), _language(raw["zh"], by_words=False))

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> BankDetailsLexicon:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def find(self, text: str) -> str | None:
        """The words that make `text` such a request; None when it is not one."""
        text = " ".join(text.split())
        for lang in self._languages:
            for pattern in (*lang.patterns, lang.fresh):
                found = pattern.search(text)
                if found:
                    return found.group(0)
            near = self._near(text, lang)
            if near:
                return near
        return None

    def _near(self, text: str, lang: _Language) -> str | None:
        nouns = list(lang.nouns.finditer(text))
        if not nouns:
            return None
        for verb in lang.verbs.finditer(text):
            for noun in nouns:
                if lang.by_words:
                    gap = abs(_word_index(text, verb.start()) - _word_index(text, noun.start()))
                    close = gap <= self._words
                else:
                    gap = max(verb.start(), noun.start()) - min(verb.end(), noun.end())
                    close = gap <= self._chars
                if close:
                    start, end = min(verb.start(), noun.start()), max(verb.end(), noun.end())
                    return text[start:end]
        return None


def _word_index(text: str, position: int) -> int:
    return len(_WORD.findall(text[:position]))


@lru_cache(maxsize=1)
def default_lexicon() -> BankDetailsLexicon:
    return BankDetailsLexicon.load()


def registered_contact(contact_name: str, phone: str, email: str) -> str:
    parts = [part for part in (contact_name, phone, email) if part]
    return ", ".join(parts) if parts else "none on file: find the number in the supplier's contract"


async def bank_details_rule(ctx: TurnContext, lexicon: BankDetailsLexicon | None = None) -> list[Reply]:
    """Escalate a request to change bank details (high priority); [] for any other message."""
    if ctx.message.channel_kind not in SUPPLIER_CHANNELS or not ctx.message.text.strip():
        return []
    evidence = (lexicon or default_lexicon()).find(ctx.message.text)
    if evidence is None:
        return []
    backend, supplier_id = ctx.services.backend, ctx.supplier_id
    supplier = await backend.get_supplier(supplier_id) if supplier_id else None
    contact = (
        registered_contact(supplier.contact_name, supplier.phone, supplier.email)
        if supplier is not None
        else "the sender is not linked to a supplier: call the contact on file of the supplier they name"
    )
    invoices = await backend.open_invoices(supplier_id, OPEN_INVOICES_SHOWN) if supplier_id else ()
    detail = (
        f'"{ctx.message.text.strip()[:200]}" (matched "{evidence[:60]}"); registered contact: {contact}; '
        "call back on the registered number before any change"
    )
    escalation, _new = await ctx.services.handoff.escalate(
        EscalationRequest(
            conversation_key=ctx.session.key.as_str(),
            reasons=(Reason(ReasonCode.RISK_BANK_DETAILS, detail),),
            language=ctx.language,
            request_id=ctx.request_id,
            text=ctx.message.text,
            supplier_id=supplier_id,
            user_name=ctx.message.sender.display_name,
            priority=Priority.HIGH,
            invoice_ids=tuple(invoice.id for invoice in invoices),
        )
    )
    ctx.session.active_form = None
    hold(ctx.session)
    ctx.session.state[ESCALATION] = escalation.id
    triggers.rules_done_for_session(ctx.session)
    facts = {"ticket_id": f"#{escalation.id}"}
    return [Reply(OUTCOME, facts, action="bank_details", kind="handoff")]

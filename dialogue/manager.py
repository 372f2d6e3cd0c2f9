"""The dialogue manager: NLU -> policy -> action -> reply, for one incoming message at a time."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from dialogue.actions.base import (
    SALES_INTENTS,
    SUPPLIER_DATA_INTENTS,
    ActionTable,
    Reply,
    Services,
    TurnContext,
)
from dialogue.actions.basic import escalate
from dialogue.actions.common import yes_no_buttons
from dialogue.actions.knowledge import faq_answer, knowledge_answer
from dialogue.actions.sales.ask import INTENT as SALES_QUERY
from dialogue.actions.sales.ask import is_rep_channel, sales_layer_takes
from dialogue.attachments import READABLE_ATTACHMENTS, attachment_label, chart_files
from dialogue.clock import Clock
from dialogue.handoff import triggers
from dialogue.handoff.csat import COMMENT_FORM
from dialogue.handoff.model import Priority
from dialogue.handoff.silence import held
from dialogue.handoff.supplier import SupplierSide
from dialogue.identity import resolve_supplier
from dialogue.language import decide_turn_language
from dialogue.messages import Button, ChannelKind, IncomingMessage, OutgoingMessage
from dialogue.nlg.rows import with_rows
from dialogue.nlg.types import RenderedReply, ReplyRenderer
from dialogue.notifications import notification_toggle
from dialogue.risk import bank_details_rule
from dialogue.routing import KNOWLEDGE_INTENTS, Route, RouteKind, is_question
from dialogue.session import Session, TurnRecord
from dialogue.settings import DialogueSettings, HandoffSettings
from dialogue.understanding import (
    ENTRY_BUTTON,
    INTENT_BUTTON,
    Option,
    break_tie_with_entities,
    empty_nlu,
    entry_option,
    intent_option,
    within_reach,
)
from dialogue.yesno import is_confirm_button, pressed_answer
from nlu.types import OUT_OF_SCOPE, NluResult, Parser

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Policy:
    """The rules of a conversation: config.yaml's `dialogue:` and `handoff:` sections, as loaded."""

    dialogue: DialogueSettings = field(default_factory=DialogueSettings)
    handoff: HandoffSettings = field(default_factory=HandoffSettings)  # business rules that call a person
    web_is_sales_channel: bool = True  # the local web chat is a demo of every channel

    @property
    def session_ttl(self) -> timedelta:
        return timedelta(minutes=self.dialogue.session_ttl_minutes)


class DialogueManager:
    """Conversations with suppliers and sales reps; an agent's desk action is a handoff command instead."""

    def __init__(
        self,
        *,
        nlu: Parser,
        renderer: ReplyRenderer,
        services: Services,
        clock: Clock,
        actions: ActionTable,
        policy: Policy | None = None,
    ) -> None:
        self._nlu = nlu
        self._renderer = renderer
        self._services = services
        self._clock = clock
        self._actions = actions
        self._policy = policy or Policy()
        reopen_within = timedelta(hours=self._policy.handoff.auto_close_hours)
        self._supplier_side = SupplierSide(services.handoff, reopen_within=reopen_within)

    async def handle(self, message: IncomingMessage, session: Session) -> list[OutgoingMessage]:
        """Answer one message; mutates `session` (supplier, language, slots, form, records) for the store.

        Every turn starts by deciding the supplier the conversation speaks for (dialogue.identity) and
        its reply language (dialogue.language).
        """
        now = self._clock()
        if session.expired(now, self._policy.session_ttl):
            session.reset(now)
            session.record(TurnRecord(kind="system", data={"event": "session_expired"}))
        session.last_activity_at = now
        await resolve_supplier(message, session, self._services.accounts)
        text = self._effective_text(message)
        nlu = await self._nlu.parse(text) if text.strip() else empty_nlu(text, session.language)
        decide_turn_language(
            message, text, nlu.language, session, default=self._policy.dialogue.default_language
        )
        session.record(
            TurnRecord(
                kind="user",
                text=message.text,
                intent=nlu.intent,
                confidence=nlu.confidence,
                entities=tuple(_entity_json(e) for e in nlu.entities),
                data={"external_id": message.external_id, "attachments": len(message.attachments)},
            )
        )
        if held(session):
            relayed = await self._supplier_side.while_escalated(message, session, nlu)
            if relayed is not None:
                return relayed  # a person is answering: the bot is silent, the desk sees the message
        aftercare = await self._after_handoff(message, session, nlu)
        if aftercare is not None:
            return aftercare

        if (toggled := notification_toggle(message, session)) is not None:
            return [toggled]  # "/notifications off", "stop updates", 关闭通知 (dialogue.notifications)
        ctx = TurnContext(
            message=within_reach(message),
            session=session,
            nlu=nlu,
            now=now,
            services=self._services,
            sales_allowed=self._sales_allowed(message),
        )
        replies = await self._business_rules(ctx) or await self._decide(ctx)
        return [await self._render(ctx, reply) for reply in replies]

    async def _after_handoff(
        self, message: IncomingMessage, session: Session, nlu: NluResult
    ) -> list[OutgoingMessage] | None:
        """The rating keyboard, its comment, and a message soon after a resolution that needs the agent."""
        side, threshold = self._supplier_side, self._policy.dialogue.confidence_threshold
        answered = await side.survey_answer(message, session)
        if answered is None and session.active_form == COMMENT_FORM:
            answered = await side.survey_comment(message, session, nlu, threshold)
        if answered is None:
            answered = await side.maybe_reopen(message, session, nlu, threshold)
        return answered

    async def _business_rules(self, ctx: TurnContext) -> list[Reply]:
        """A VIP supplier, or an order above the threshold, goes to a person (once per session)."""
        if bank_change := await bank_details_rule(ctx):  # never by chat: a person calls back (dialogue.risk)
            return bank_change
        if ctx.message.channel_kind not in (ChannelKind.PRIVATE, ChannelKind.WEB) or not ctx.supplier_id:
            return []
        order_ids = tuple(dict.fromkeys(str(e.value) for e in ctx.nlu.entities_of("order_id")))
        reasons = await triggers.business_rules(
            session=ctx.session,
            nlu=ctx.nlu,
            order_ids=order_ids,
            backend=self._services.backend,
            settings=self._policy.handoff,
        )
        if not reasons:
            return []
        return await escalate(ctx, tuple(reasons), outcome="escalated", priority=Priority.HIGH)

    # --- policy ------------------------------------------------------------------------------

    async def _decide(self, ctx: TurnContext) -> list[Reply]:
        message, session = ctx.message, ctx.session
        if message.command == "start" and message.command_args.strip():
            return await self._run_intent("link_account", ctx)
        if not session.supplier_id and _LINK_CODE.fullmatch(message.text.strip()):
            return await self._run_intent("link_account", ctx)
        if message.command in ("start", "help"):
            return await self._run_intent("help" if message.command == "help" else "greeting", ctx)
        if message.command == "human" or message.callback_data == triggers.HANDOFF_BUTTON:
            return await self._run_intent("human_handoff", ctx)
        if message.attachments:
            return await self._attachments(ctx)
        if message.callback_data.startswith(INTENT_BUTTON):
            return await self._chosen_intent(ctx, message.callback_data.removeprefix(INTENT_BUTTON))
        if message.callback_data.startswith(ENTRY_BUTTON):
            return self._chosen_entry(ctx, message.callback_data.removeprefix(ENTRY_BUTTON))
        if message.callback_data and not self._expects_button(ctx):
            return [Reply("button_expired", action="button")]
        return await self._understand(ctx)

    def _expects_button(self, ctx: TurnContext) -> bool:
        """A yes/no button answers the question of the active form; any other press is stale or foreign."""
        return is_confirm_button(ctx.message.callback_data) and ctx.session.active_form is not None

    async def _attachments(self, ctx: TurnContext) -> list[Reply]:
        """A file is acknowledged and its caption understood; a sticker or a location is not read."""
        readable = [a for a in ctx.message.attachments if a.kind in READABLE_ATTACHMENTS]
        if not readable:
            kind = ctx.message.attachments[0].kind
            return [Reply("unsupported_attachment", {"attachment": attachment_label(kind, ctx.language)})]
        name = readable[0].file_name
        received = Reply("attachment_received", {"file_name": name} if name else {})
        if not ctx.message.text.strip():
            return [received]
        about = await self._understand(ctx, counts_as_fallback=False)
        unclear = all(r.outcome in ("out_of_scope", "clarify", "faq_unknown") for r in about)
        # A caption that describes the file ("here is our price list") asks nothing of the handbook.
        describes = not is_question(ctx.message.text) and all(r.outcome == "faq_answer" for r in about)
        return [received] if unclear or describes else [received, *about]

    async def _chosen_intent(self, ctx: TurnContext, intent: str) -> list[Reply]:
        """A button naming an intent (a clarifying question's choice) runs it on the text it was about."""
        if intent not in self._actions.intents:
            return [Reply("button_expired", action="button")]
        asked = str(ctx.session.state.pop("clarified_text", "") or ctx.message.text)
        nlu = await self._nlu.parse(asked) if asked.strip() else ctx.nlu
        chosen = replace(nlu, intent=intent, confidence=1.0, ambiguous=False)
        return await self._gated(replace(ctx, nlu=chosen), intent)

    def _chosen_entry(self, ctx: TurnContext, entry_id: str) -> list[Reply]:
        """A button naming a knowledge entry (an offer's choice) answers from it."""
        knowledge = self._actions.knowledge
        entry = knowledge.entry(entry_id, ctx.language) if knowledge is not None else None
        if entry is None:
            return [Reply("button_expired", action="button")]
        ctx.session.state.pop("clarified_text", None)
        ctx.session.state["fallbacks"] = 0
        return [replace(r, action="knowledge") for r in faq_answer(ctx, entry)]

    async def _understand(self, ctx: TurnContext, *, counts_as_fallback: bool = True) -> list[Reply]:
        session, nlu = ctx.session, ctx.nlu
        if session.active_form:
            form = self._actions.forms.get(session.active_form)
            if form is not None:
                answered = await form(ctx)
                if answered:
                    return answered

        if SALES_QUERY in self._actions.intents and await sales_layer_takes(ctx):
            session.state["fallbacks"] = 0
            return await self._run_intent(SALES_QUERY, ctx)  # a rep's data question, as asked (issue 25)
        nlu = break_tie_with_entities(nlu)
        routed = await self._route(ctx, nlu)
        if routed.kind == RouteKind.ANSWER:
            session.state["fallbacks"] = 0
            action = nlu.intent if nlu.intent in KNOWLEDGE_INTENTS else "knowledge"
            also = tuple(entry_option(e, ctx.language) for e in routed.entries[1:2])
            see_also = tuple(Button(o.label, o.value) for o in also)
            return [
                replace(r, action=action, buttons=r.buttons + see_also)
                for r in await knowledge_answer(ctx, routed.entries[0])  # the model's, when `knowledge` is on
            ]
        if routed.kind == RouteKind.OFFER:
            a, b = (entry_option(e, ctx.language) for e in routed.entries[:2])
            return self._clarify(ctx, a, b)
        if routed.kind == RouteKind.CHOOSE:
            return self._clarify(
                ctx, intent_option(nlu.intent, ctx.language), entry_option(routed.entries[0], ctx.language)
            )
        if nlu.intent != OUT_OF_SCOPE and nlu.ambiguous and len(nlu.ranking) >= 2:
            first, second = nlu.ranking[0][0], nlu.ranking[1][0]
            return self._clarify(ctx, intent_option(first, ctx.language), intent_option(second, ctx.language))
        if nlu.intent == OUT_OF_SCOPE or nlu.confidence < self._policy.dialogue.confidence_threshold:
            if not counts_as_fallback:
                return [Reply("out_of_scope", action="out_of_scope")]
            return await self._fallback(ctx)
        session.state["fallbacks"] = 0
        return await self._gated(ctx, nlu.intent)

    async def _route(self, ctx: TurnContext, nlu: NluResult) -> Route:
        """The knowledge base's say beside the intent (dialogue.routing)."""
        knowledge = self._actions.knowledge
        if knowledge is None:
            return Route(RouteKind.INTENT)
        return await knowledge.decide(
            nlu,
            ctx.message.text,
            ctx.language,
            confidence_threshold=self._policy.dialogue.confidence_threshold,
        )

    @staticmethod
    def _clarify(ctx: TurnContext, a: Option, b: Option) -> list[Reply]:
        """Ask which of two readings the user meant; the buttons carry them, the text is kept for them."""
        ctx.session.state["fallbacks"] = 0
        ctx.session.state["clarified_text"] = ctx.message.text
        facts = {"option_a": a.phrase, "option_b": b.phrase}
        return [Reply("clarify", facts, buttons=(Button(a.label, a.value), Button(b.label, b.value)))]

    async def _gated(self, ctx: TurnContext, intent: str) -> list[Reply]:
        """Run `intent`, unless this channel or this user may not ask it."""
        message, session = ctx.message, ctx.session
        if intent in SALES_INTENTS and not ctx.sales_allowed:
            if message.channel_kind in (ChannelKind.OTHER, ChannelKind.SUPPORT):
                return [Reply("sales_wrong_channel", action=intent)]
            return [Reply("sales_only", action=intent)]
        if intent in SUPPLIER_DATA_INTENTS and not session.supplier_id:
            if is_rep_channel(message.channel_kind) and SALES_QUERY in self._actions.intents:
                return await self._run_intent(SALES_QUERY, ctx)  # a rep is never asked to link an account
            return [Reply("link_required", action=intent)]
        return await self._run_intent(intent, ctx)

    async def _fallback(self, ctx: TurnContext) -> list[Reply]:
        count = int(ctx.session.state.get("fallbacks", 0)) + 1
        ctx.session.state["fallbacks"] = count
        if count >= self._policy.dialogue.fallbacks_before_handoff:
            ctx.session.state["fallbacks"] = 0
            ctx.session.state["fallbacks_offered"] = count
            ctx.session.active_form = "offer_human"
            buttons = yes_no_buttons(ctx.language)
            return [Reply("out_of_scope_offer_human", buttons=buttons, action="out_of_scope")]
        return await self._run_intent("out_of_scope", ctx)

    async def _run_intent(self, intent: str, ctx: TurnContext) -> list[Reply]:
        action = self._actions.intents.get(intent) or self._actions.intents.get("out_of_scope")
        if action is None:
            return [Reply("out_of_scope", action=intent)]
        replies = await action(ctx)
        return [r if r.action else replace(r, action=intent) for r in replies]

    def _sales_allowed(self, message: IncomingMessage) -> bool:
        if message.channel_kind in (ChannelKind.SALES, ChannelKind.DM):
            return True
        return message.channel_kind == ChannelKind.WEB and self._policy.web_is_sales_channel

    @staticmethod
    def _effective_text(message: IncomingMessage) -> str:
        pressed = pressed_answer(message.callback_data)  # a yes/no button's answer; else text or label
        return message.text if pressed is None else pressed

    # --- rendering ---------------------------------------------------------------------------

    async def _render(self, ctx: TurnContext, reply: Reply) -> OutgoingMessage:
        rendered: RenderedReply
        if reply.product_attributes is not None:
            rendered = await self._renderer.describe_product(reply.product_attributes, language=ctx.language)
        else:
            rendered = await self._renderer.render(
                reply.outcome, reply.facts, language=ctx.language, user_text=ctx.message.text
            )
        ctx.session.record(
            TurnRecord(
                kind="bot",
                text=with_rows(rendered.text, reply.table),  # the transcript shows the table's rows as a list
                intent=ctx.nlu.intent,
                confidence=ctx.nlu.confidence,
                action=reply.action,
                outcome=reply.outcome,
                facts=_json_facts(reply.facts),
                used_fallback=rendered.used_fallback,
                data={"source": rendered.source, "fallback_reason": rendered.fallback_reason},
            )
        )
        return OutgoingMessage(
            conversation=ctx.message.conversation,
            text=rendered.text,
            buttons=reply.buttons,
            table=reply.table,
            reply_to=ctx.message.message_id,
            kind=reply.kind,
            files=chart_files(reply),
            metadata={
                "outcome": reply.outcome,
                "intent": ctx.nlu.intent,
                "draft": rendered.is_draft,
                "language": ctx.language,
            },
        )


_LINK_CODE = re.compile(r"(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{16}")


def _entity_json(entity: Any) -> dict[str, Any]:
    return {
        "type": entity.type,
        "text": entity.text,
        "start": entity.start,
        "end": entity.end,
        "value": _jsonable(entity.value),
        "unit": entity.unit,
    }


def _jsonable(value: object) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "amount") and hasattr(value, "currency"):
        return {"amount": str(value.amount), "currency": value.currency}
    return str(value)


def _json_facts(facts: Mapping[str, object]) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in facts.items()}


__all__ = ["ActionTable", "DialogueManager", "Policy"]

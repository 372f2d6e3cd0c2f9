"""Small talk, help, out-of-scope, account linking and the offer of a human."""

from __future__ import annotations

from dialogue.actions.base import ActionTable, Reply, TurnContext
from dialogue.handoff import triggers
from dialogue.handoff.model import Priority, Reason
from dialogue.handoff.requests import EscalationRequest
from dialogue.handoff.silence import hold
from dialogue.handoff.supplier import ESCALATION
from dialogue.identity import link_supplier
from dialogue.yesno import classify_answer, pressed_answer

_CAPABILITIES = {
    "supplier": (
        '• Order status: "where is PO-1001?"\n'
        '• Payments: "when is INV-2002 paid?" or "my open invoices"\n'
        '• Stock: "stock of AB-1020" or "set AB-1020 to 450 units"\n'
        "• Onboarding and policy questions\n"
        '• A person: "talk to a human"',
        '• 订单状态："PO-1001 到哪了？"\n'
        '• 付款："INV-2002 什么时候付款？" 或 "我的未付发票"\n'
        '• 库存："AB-1020 库存多少" 或 "把 AB-1020 的库存改成 450 件"\n'
        "• 入驻和政策问题\n"
        '• 人工客服："转人工"',
    ),
    "unlinked": (
        "• Onboarding and policy questions (payment terms, returns, labelling, MOQ)\n"
        "• Link your supplier account with the code from your account manager: /start CODE\n"
        '• A person: "talk to a human"',
        "• 入驻和政策问题（付款条件、退货、标签、起订量）\n"
        "• 使用客户经理提供的代码绑定供应商账号：/start 代码\n"
        '• 人工客服："转人工"',
    ),
    "sales": (
        '• Customer lookup: "tell me about ACME Corp"\n'
        '• Sales summary: "sales this week" or "last month"\n'
        '• Product descriptions: "write a listing for AB-1020"\n'
        '• Customer industry: "which industry is Globex in?"\n'
        '• Recommendations: "what should we pitch to ACME?" or "products similar to AB-1020"',
        '• 客户查询："查一下 ACME Corp"\n'
        '• 销售汇总："本周销售" 或 "上个月"\n'
        '• 商品描述："给 AB-1020 写个商品描述"\n'
        '• 客户行业："Globex 属于哪个行业？"\n'
        '• 商品推荐："给 ACME 推荐什么产品？" 或 "和 AB-1020 类似的产品"',
    ),
}


def capabilities(ctx: TurnContext) -> str:
    zh = ctx.language == "zh"
    parts = []
    if ctx.sales_allowed:
        parts.append(_CAPABILITIES["sales"][zh])
    if ctx.supplier_id:
        parts.append(_CAPABILITIES["supplier"][zh])
    elif not ctx.sales_allowed:
        parts.append(_CAPABILITIES["unlinked"][zh])
    return "\n".join(parts)


async def greeting(ctx: TurnContext) -> list[Reply]:
    name = ctx.message.sender.display_name
    return [Reply("greeting", {"user_name": name} if name else {})]


async def goodbye(ctx: TurnContext) -> list[Reply]:
    return [Reply("goodbye")]


async def thanks(ctx: TurnContext) -> list[Reply]:
    return [Reply("thanks")]


async def help_(ctx: TurnContext) -> list[Reply]:
    return [Reply("help", {"capabilities": capabilities(ctx)})]


async def out_of_scope(ctx: TurnContext) -> list[Reply]:
    return [Reply("out_of_scope", action="out_of_scope")]


async def link_account(ctx: TurnContext) -> list[Reply]:
    words = (ctx.message.command_args or ctx.message.text).split()
    code = words[0] if words else ""
    if ctx.supplier_id:
        supplier = await ctx.services.backend.get_supplier(ctx.supplier_id)
        return [Reply("link_already", {"supplier_name": supplier.name if supplier else ctx.supplier_id})]
    result = await link_supplier(code, ctx.message, ctx.session, ctx.services.accounts)
    if not result.ok or result.supplier_id is None:
        return [Reply("link_invalid_code", action="link_account")]
    supplier = await ctx.services.backend.get_supplier(result.supplier_id)
    name = supplier.name if supplier else result.supplier_id
    return [Reply("link_success", {"supplier_name": name}, action="link_account")]


async def human_handoff(ctx: TurnContext) -> list[Reply]:
    return await escalate(ctx, (triggers.explicit_request(ctx.message),), outcome="escalated")


async def escalate(
    ctx: TurnContext, reasons: tuple[Reason, ...], *, outcome: str, priority: Priority = Priority.NORMAL
) -> list[Reply]:
    """Hand the conversation to a person: the bot goes silent until an agent resolves it or hands it back."""
    order_ids = _ids(ctx, "order_id", "order_id")
    invoice_ids = _ids(ctx, "invoice_id", "invoice_id")
    escalation, created = await ctx.services.handoff.escalate(
        EscalationRequest(
            conversation_key=ctx.session.key.as_str(),
            reasons=reasons,
            language=ctx.language,
            request_id=ctx.request_id,
            text=ctx.message.text,
            supplier_id=ctx.supplier_id,
            user_name=ctx.message.sender.display_name,
            priority=priority,
            order_ids=order_ids,
            invoice_ids=invoice_ids,
        )
    )
    ctx.session.active_form = None
    hold(ctx.session)
    ctx.session.state[ESCALATION] = escalation.id
    triggers.rules_done_for_session(ctx.session)
    facts = {"ticket_id": f"#{escalation.id}"}
    if not created:
        return [Reply("escalation_exists", facts, action="handoff", kind="handoff")]
    return [Reply(outcome, facts, action="handoff", kind="handoff")]


def _ids(ctx: TurnContext, entity: str, slot: str) -> tuple[str, ...]:
    """The ids the conversation is about: named in this message, else the one its form was asking about."""
    named = [str(e.value) for e in ctx.nlu.entities_of(entity)]
    remembered = ctx.session.slots.get(slot)
    if not named and isinstance(remembered, str):
        named = [remembered]
    return tuple(dict.fromkeys(named))


async def offer_human_form(ctx: TurnContext) -> list[Reply]:
    """After repeated misunderstandings the bot offered a person; take the yes/no."""
    answer = (
        classify_answer(ctx.message.text)
        if not ctx.message.callback_data
        else (pressed_answer(ctx.message.callback_data) or "no")
    )
    if answer is None:
        ctx.session.active_form = None
        return []
    ctx.session.active_form = None
    if answer == "yes":
        misunderstood = int(ctx.session.state.get("fallbacks_offered", 0)) or 2
        return await escalate(ctx, (triggers.repeated_fallback(misunderstood),), outcome="escalated")
    return [Reply("cancelled", action="offer_human")]


def basic_actions() -> ActionTable:
    """The intents every deployment answers, without domain actions (used by core tests)."""
    return ActionTable(
        intents={
            "greeting": greeting,
            "goodbye": goodbye,
            "thanks": thanks,
            "help": help_,
            "out_of_scope": out_of_scope,
            "link_account": link_account,
            "human_handoff": human_handoff,
        },
        forms={"offer_human": offer_human_form},
    )

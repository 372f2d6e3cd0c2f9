"""sales_query: a sales rep's question answered as asked (issue 25): any metric, by a dimension, filtered,
over any period, ranked and compared; the customers gone quiet; a draft's facts.

The question is read by nlu.sales_query against the names the store holds, run as a SalesQuery through
`Backend.sales_query` (SQL, definitions in docs/metrics.md) and answered with one sentence, a ranked table
where there is a dimension and a chart where there is a comparison. A question the layer cannot answer
is said to be so, with the closest one it can answer on a button; it is never answered as another intent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache, lru_cache

from dialogue.actions.base import SUPPLIER_DATA_INTENTS, Action, Reply, TurnContext
from dialogue.actions.sales.ask_words import unsupported_reason, value_text, zh
from dialogue.actions.sales.drafting import Drafter, DraftRequest, draft_from_facts, drafter_for, facts_block
from dialogue.actions.sales.industries import load_industries
from dialogue.actions.sales.market_trends import category_aliases, category_names
from dialogue.actions.sales.query_answer import answer_result
from dialogue.backend import Backend, Order
from dialogue.messages import Button, ChannelKind
from dialogue.queries import DateRange, QueryFilter, SalesNames, SalesQuery
from dialogue.understanding import INTENT_BUTTON, capitalised
from nlu.period_spans import previous_span, year_before_span
from nlu.sales_names import NamedThing, SalesVocabulary
from nlu.sales_query import SalesQuestion, parse_sales_question

INTENT = "sales_query"
QUIET_LIMIT = 10
# The closest question the layer answers, offered on a button when it cannot answer the one asked.
CLOSEST = {
    "returns": ("complaints by customer this month", "本月各客户的投诉数"),
    "complaints_by_category": ("complaints by customer this month", "本月各客户的投诉数"),
    "complaints_by_product": ("complaints by customer this month", "本月各客户的投诉数"),
    "default": ("top 5 customers by revenue this month", "本月销售额最高的5个客户"),
}


@cache
def _industry_names() -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (label.key, label.names.get("en", label.key), label.names.get("zh", ""))
        for label in load_industries()
    )


@lru_cache(maxsize=8)  # the store's names change by import, not by message
def vocabulary(names: SalesNames) -> SalesVocabulary:
    """What a question may name: the store's names, the categories' aliases (categories.yml) and the
    industries' names in both languages (industries.yml)."""
    aliases = category_aliases()
    industries = {key: (en, cn) for key, en, cn in _industry_names()}
    things = [NamedThing("customer", cid, name) for cid, name in names.customers]
    things += [
        NamedThing("supplier", sid, name, (zh_name,) if zh_name else ())
        for sid, name, zh_name in names.suppliers
    ]
    things += [NamedThing("category", c, c, aliases.get(c, ())) for c in names.categories]
    things += [NamedThing("product", sku, name) for sku, name in names.products]
    for code in names.industries:
        en, cn = industries.get(code, (code.replace("_", " "), ""))
        things.append(NamedThing("industry", code, en, tuple(a for a in (cn, code) if a and a != en)))
    return SalesVocabulary.of(things)


def local_names(names: SalesNames, language: str) -> dict[str, str]:
    """Names as a reply shows them: in Chinese, categories by name, suppliers and industries by key; in
    English, industries by their label ("Food and beverage", not "food_and_beverage")."""
    industries = {key: (en, cn) for key, en, cn in _industry_names()}
    if not zh(language):
        return {code: capitalised(industries.get(code, (code, ""))[0]) for code in names.industries}
    local = dict(category_names(language))
    local.update({sid: zh_name for sid, _name, zh_name in names.suppliers if zh_name})
    local.update(
        {code: industries[code][1] for code in names.industries if industries.get(code, ("", ""))[1]}
    )
    return local


async def read_question(backend: Backend, text: str, today: date) -> SalesQuestion | None:
    return _question(text, today, await backend.sales_names())


@lru_cache(maxsize=256)  # a rep's message is read twice: by the layer's test (sales_layer_takes) and by it
def _question(text: str, today: date, names: SalesNames) -> SalesQuestion | None:
    return parse_sales_question(text, today, vocabulary(names))


def as_query(question: SalesQuestion, today: date) -> SalesQuery:
    span = question.span.span
    compare_to = None
    if question.comparison == "year_before":
        compare_to = year_before_span(span)
    elif question.comparison == "previous":
        compare_to = previous_span(span)
    return SalesQuery(
        metric=question.metric,  # type: ignore[arg-type]
        period=DateRange(span.start, span.end),
        as_of=today,
        dimension=question.dimension,  # type: ignore[arg-type]
        filters=tuple(QueryFilter(f.dimension, f.key, f.name) for f in question.filters),  # type: ignore[arg-type]
        compare_to=None if compare_to is None else DateRange(*compare_to),
        comparison=question.comparison,
        rank=question.rank,
        order_by=question.order_by,
        limit=question.limit,
    )


def unsupported(ctx: TurnContext, reason: str, closest: str = "default") -> Reply:
    """Said plainly, with the closest question the layer answers on a button (asked when pressed)."""
    en, cn = CLOSEST.get(closest, CLOSEST["default"])
    question = cn if zh(ctx.language) else en
    ctx.session.state["clarified_text"] = question  # what the button's intent runs on (DialogueManager)
    button = Button(capitalised(question), f"{INTENT_BUTTON}{INTENT}")
    return Reply(
        "sales_query_unsupported", {"reason": reason, "closest": question}, buttons=(button,), action=INTENT
    )


async def reads_as_sales_question(backend: Backend, text: str, today: date) -> bool:
    """The text reads as a question the layer answers (a query, quiet customers, a draft), with the names
    the store holds."""
    return await read_question(backend, text, today) is not None


async def sales_layer_takes(ctx: TurnContext) -> bool:
    """The dialogue manager's test, before intents: a sales rep's message that reads as a sales query
    goes to the layer, whatever intent the classifier gives it; a linked supplier asking about their own
    orders keeps their intent."""
    if not ctx.sales_allowed or (ctx.supplier_id and ctx.nlu.intent in SUPPLIER_DATA_INTENTS):
        return False
    return await reads_as_sales_question(
        ctx.services.backend, ctx.nlu.text or ctx.message.text, ctx.now.date()
    )


def is_rep_channel(kind: ChannelKind) -> bool:
    """A Slack sales channel or DM: only sales reps write there (never asked to link a supplier account)."""
    return kind in (ChannelKind.SALES, ChannelKind.DM)


def make_sales_ask(drafter: Drafter | None = None) -> Action:
    """The action; `drafter` writes drafts when a language model is configured (None: facts only)."""

    async def sales_ask(ctx: TurnContext) -> list[Reply]:
        text = ctx.nlu.text or ctx.message.text
        today = ctx.now.date()
        question = await read_question(ctx.services.backend, text, today)
        if question is None:
            reason = (
                "我没能把它理解为销售数据的查询"
                if zh(ctx.language)
                else "I could not read it as a question about the sales data"
            )
            return [unsupported(ctx, reason)]
        if question.kind == "quiet":
            return [await quiet_customers(ctx, question)]
        if question.kind == "draft":
            return [await draft(ctx, question, text, drafter)]
        query = as_query(question, today)
        result = await ctx.services.backend.sales_query(query)
        if result.unsupported:
            reason = unsupported_reason(result.unsupported, ctx.language)
            return [unsupported(ctx, reason, closest=result.unsupported)]
        names = local_names(await ctx.services.backend.sales_names(), ctx.language)
        return [await answer_result(result, question, ctx.language, today, names=names)]

    return sales_ask


async def quiet_customers(ctx: TurnContext, question: SalesQuestion) -> Reply:
    language, today = ctx.language, ctx.now.date()
    days = question.quiet_days
    quiet = await ctx.services.backend.quiet_customers(as_of=today, days=days, limit=QUIET_LIMIT)
    note = ""
    if not question.quiet_days_given:
        note = (
            f"（问题未说天数，按{days}天统计。）"
            if zh(language)
            else f"(No number of days given: I used {days}.)"
        )
    if not quiet:
        return Reply(
            "quiet_customers_none", {"days": str(days), **({"note": note} if note else {})}, action=INTENT
        )
    header = (
        ("客户", "上次下单", "通常间隔", "订单数")
        if zh(language)
        else ("Customer", "Last order", "Usually", "Orders")
    )
    rows: list[tuple[str, ...]] = []
    for c in quiet:
        last = c.last_order.isoformat()
        if c.usual_interval_days is None:
            usually = "—"
        else:
            every = round(c.usual_interval_days)
            usually = f"每{every}天一次" if zh(language) else f"every {every} days"
        rows.append((c.name, last, usually, str(c.order_count)))
    first = quiet[0]
    quiet_for = (today - first.last_order).days
    if first.usual_interval_days is not None:
        every = round(first.usual_interval_days)
        habit = f"，平时每{every}天下单一次" if zh(language) else f", usually every {every} days"
    else:
        habit = ""
    facts = {
        "customers": str(len(quiet)),
        "days": str(days),
        "first": first.name,
        "first_last": first.last_order.isoformat(),
        "first_days": str(quiet_for),
        "habit": habit,
        **({"note": note} if note else {}),
    }
    return Reply("quiet_customers", facts, table=(header, *rows), action=INTENT)


async def draft(ctx: TurnContext, question: SalesQuestion, text: str, drafter: Drafter | None) -> Reply:
    """The facts of the customer's orders (late ones first), drafted by the model when there is one."""
    language, today = ctx.language, ctx.now.date()
    customer = next((f for f in question.filters if f.dimension == "customer"), None)
    facts: list[str] = []
    if customer is not None:
        profile = await ctx.services.backend.customer_profile(customer.key)
        if profile is not None:
            facts = order_facts(profile.last_orders, today, language) + list(profile.open_issues)
    recipient = customer.name if customer is not None else ""
    request = DraftRequest(text, recipient, tuple(facts), language)
    drafter = drafter or drafter_for(ctx.services.llm)
    written = await draft_from_facts(request, drafter)
    if written is not None:
        return Reply("sales_draft", {"draft": written}, action=INTENT)
    if not facts:
        facts = ["没有找到相关订单" if zh(language) else "no orders found for it"]
    target = recipient or ("该客户" if zh(language) else "the customer")
    outcome = "sales_draft_unavailable" if drafter is not None else "sales_draft_needs_model"
    return Reply(outcome, {"target": target, "facts": facts_block(facts)}, action=INTENT)


def order_facts(orders: Sequence[Order], today: date, language: str) -> list[str]:
    """Open orders as facts a draft may state, the late ones first."""
    late, other = [], []
    for order in orders:
        due = order.eta or order.promised_date
        amount = value_text("revenue", order.total, order.currency, language)
        if order.is_open and due is not None and due < today:
            late.append(
                f"{order.id}：{amount}，应于{due.isoformat()}交付，仍未交付（延迟{(today - due).days}天）"
                if zh(language)
                else f"{order.id}: {amount}, due {due.isoformat()}, still {order.status.replace('_', ' ')} "
                f"({(today - due).days} days late)"
            )
        elif order.is_open:
            other.append(
                f"{order.id}：{amount}，进行中"
                if zh(language)
                else f"{order.id}: {amount}, {order.status.replace('_', ' ')}"
            )
    return late + other

"""customer_lookup: a customer's contact, lifetime value, last orders and open issues."""

from __future__ import annotations

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.common import amounts_fact, fmt_date, fmt_money, status_label
from dialogue.actions.sales.customer_industry import describes_company, industry_of_text
from dialogue.actions.sales.customers import ask_customer, find_customer_in
from dialogue.actions.sales.industries import IndustryClassifier
from dialogue.backend import Customer

LAST_ORDERS = 5


def make_customer_lookup(classifier: IndustryClassifier) -> Action:
    async def customer_lookup(ctx: TurnContext) -> list[Reply]:
        return await lookup(ctx, classifier)

    return customer_lookup


async def lookup(ctx: TurnContext, classifier: IndustryClassifier) -> list[Reply]:
    """The customer's profile; a message that describes a company (and names none) gets its industry."""
    customer, guess = await find_customer_in(ctx)
    if customer is None:
        if describes_company(ctx.message.text):
            return [await industry_of_text(ctx, classifier, ctx.message.text)]
        if guess:
            return [Reply("customer_not_found", {"customer_name": guess})]
        return ask_customer(ctx, "customer_lookup")
    return [await profile_reply(ctx, customer)]


async def profile_reply(ctx: TurnContext, customer: Customer) -> Reply:
    profile = await ctx.services.backend.customer_profile(customer.id)
    if profile is None:
        return Reply("customer_not_found", {"customer_name": customer.name})
    zh = ctx.language == "zh"
    orders = profile.last_orders[:LAST_ORDERS]
    issue_lines = [f"• {issue}" for issue in profile.open_issues] or (["• 无"] if zh else ["• none"])
    header = ("订单", "日期", "状态", "金额") if zh else ("Order", "Date", "Status", "Total")
    rows = [
        (
            o.id,
            fmt_date(o.created_at.date()),
            status_label(o.status, ctx.language),
            fmt_money(o.total, o.currency),
        )
        for o in orders
    ]
    facts: dict[str, object] = {
        "customer_name": customer.name,
        "contact_name": customer.contact_name or "-",
        "email": customer.email or "-",
        "lifetime_value": amounts_fact(profile.lifetime_value, ctx.language),  # one figure per currency
        "order_count": profile.order_count,
        "open_issues": "\n".join(issue_lines),
    }
    if rows:  # the last orders are the table; the text only introduces it
        facts["shown_orders"] = len(rows)
    table = (header, *rows) if rows else ()
    return Reply("customer_profile", facts, table=table, action="customer_lookup")

"""customer_industry: the industry of a known customer, or of a company the message describes."""

from __future__ import annotations

import re

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.common import fmt_percent
from dialogue.actions.sales.customers import ask_customer, find_customer_in
from dialogue.actions.sales.industries import IndustryClassifier, IndustryGuess
from dialogue.backend import Backend, Customer, CustomerProfile, Product
from nlu.names import looks_like_description, word_count

DESCRIPTION_WEIGHT = 0.8  # a customer's own description counts more than what it buys
PURCHASES_WEIGHT = 0.2

_DESCRIBES_COMPANY = re.compile(
    r"\b(they|their|we|our|company|firm|business|startup|customer|client)\b.{0,40}?\b("
    r"do|does|make|makes|sell|sells|run|runs|operate|operates|provide|provides|produce|produces|build|builds|"
    r"offer|offers|are|is\s+an?|specialize|specializes|manufacture|manufactures|develop|develops)\b|"
    r"他们|这家|一家|该公司|做.{1,12}的|从事|经营|生产|提供|开发",
    re.I,
)
_QUESTION_FRAME = re.compile(
    r"^(?:what|which)\s+industry\s+(?:is|are|would)\s+(?:a\s+)?(?:company|business|customer)?\s*"
    r"(?:that|which|who)?\s*|^(?:what|which)\s+industry(?:\s+is\s+this)?\s*[:：]\s*|"
    r"^(?:classify|categorize)\s*(?:this)?[:：]?\s*|"
    r"[,，]?\s*(?:what|which)\s+industry\s+(?:is\s+)?(?:that|this|it)\??$|属于哪个行业[？?]?|是什么行业[？?]?|"
    r"^(?:这家公司|这个客户)?(?:属于)?(?:哪个|什么)行业[:：]\s*",
    re.I,
)


def describes_company(text: str) -> bool:
    """The message describes a company (what it does), rather than naming a customer."""
    return (bool(_DESCRIBES_COMPANY.search(text)) and word_count(text) >= 4) or looks_like_description(
        _QUESTION_FRAME.sub("", text)
    )


def make_customer_industry(classifier: IndustryClassifier) -> Action:
    async def customer_industry(ctx: TurnContext) -> list[Reply]:
        text = ctx.message.text
        customer, guess = await find_customer_in(ctx)
        if customer is not None:
            return [await industry_of_customer(ctx, classifier, customer)]
        if describes_company(text):
            return [await industry_of_text(ctx, classifier, text)]
        if guess:
            return [Reply("customer_not_found", {"customer_name": guess})]
        return ask_customer(ctx, "customer_industry")

    return customer_industry


async def industry_of_text(ctx: TurnContext, classifier: IndustryClassifier, text: str) -> Reply:
    """The industry a description belongs to: the top three, and the nearest labelled examples."""
    description = _QUESTION_FRAME.sub("", text).strip() or text
    result = await classifier.classify([(description, 1.0)])
    return Reply("text_industry", _facts(ctx, classifier, result), action="customer_industry")


async def industry_of_customer(ctx: TurnContext, classifier: IndustryClassifier, customer: Customer) -> Reply:
    backend = ctx.services.backend
    profile = await backend.customer_profile(customer.id)
    bought = await _purchased_products(backend, profile)
    categories = ", ".join(dict.fromkeys(p.category for p in bought if p.category))
    texts: list[tuple[str, float]] = []
    if customer.description:
        texts.append((f"{customer.name}. {customer.description}", DESCRIPTION_WEIGHT))
    if categories:
        texts.append((f"Buys {categories}: " + ", ".join(p.name for p in bought[:8]), PURCHASES_WEIGHT))
    if not texts:
        texts.append((customer.name, 1.0))
    result = await classifier.classify(texts)
    facts = {"customer_name": customer.name, **_facts(ctx, classifier, result)}
    return Reply("customer_industry", facts, action="customer_industry")


def _facts(ctx: TurnContext, classifier: IndustryClassifier, result: IndustryGuess) -> dict[str, object]:
    candidates = "\n".join(
        f"• {label.name(ctx.language)} {fmt_percent(p)}" for label, p in result.top(classifier.labels)
    )
    reasons = "\n".join(f"• {example}" for example in result.nearest)
    return {
        "industry": result.label.name(ctx.language),
        "confidence": result.confidence,
        "candidates": candidates,
        "reasons": reasons or "• -",
    }


async def _purchased_products(backend: Backend, profile: CustomerProfile | None) -> list[Product]:
    if profile is None:
        return []
    products = []
    for sku in profile.purchased_skus:
        product = await backend.get_product(sku)
        if product is not None:
            products.append(product)
    return products

"""recommend_products: what to pitch to a customer, or products similar to a SKU."""

from __future__ import annotations

from collections.abc import Sequence

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.sales.customers import ask_customer, find_customer_in
from dialogue.actions.sales.recommender import Recommendation, Recommender
from dialogue.backend import Customer


def make_recommend_products(recommender: Recommender) -> Action:
    async def recommend_products(ctx: TurnContext) -> list[Reply]:
        backend = ctx.services.backend
        customer, guess = await find_customer_in(ctx)
        sku_entity = ctx.nlu.entity("sku")
        if customer is None and sku_entity is not None:
            sku = str(sku_entity.value)
            product = await backend.get_product(sku)
            if product is None:
                return [Reply("product_not_found", {"sku": sku})]
            recs = await recommender.similar_to(backend, product)
            table = _rec_table(recs, ctx.language, similar=True)
            return [Reply("similar_products", {"sku": sku}, table=table)]
        if customer is None:
            if guess:
                return [Reply("customer_not_found", {"customer_name": guess})]
            return ask_customer(ctx, "recommend_products")
        return [await recommendations_for(ctx, recommender, customer)]

    return recommend_products


async def recommendations_for(ctx: TurnContext, recommender: Recommender, customer: Customer) -> Reply:
    recs = await recommender.for_customer(ctx.services.backend, customer.id)
    if not recs:
        return Reply("no_recommendations", {"customer_name": customer.name}, action="recommend_products")
    return Reply(
        "recommendations",
        {"customer_name": customer.name},
        table=_rec_table(recs, ctx.language, similar=False),
        action="recommend_products",
    )


def _reason(rec: Recommendation, language: str, *, similar: bool) -> str:
    """Why the product is suggested, in words (the score stays internal)."""
    if language == "zh":
        if similar:
            return f"与 {rec.anchor} 相似（相似度 {rec.score:.2f}）"
        if rec.co_buyers:
            return f"购买 {rec.anchor} 的其他客户中有 {rec.co_buyers} 位也购买了它"
        return f"与其已购的 {rec.anchor} 相似"
    if similar:
        return f"similar to {rec.anchor} (similarity {rec.score:.2f})"
    if rec.co_buyers == 1:
        return f"another customer who buys {rec.anchor} also buys it"
    if rec.co_buyers:
        return f"{rec.co_buyers} other customers who buy {rec.anchor} also buy it"
    return f"similar to {rec.anchor}, which they already buy"


def _rec_table(
    recs: Sequence[Recommendation], language: str, *, similar: bool
) -> tuple[tuple[str, ...], ...]:
    """The suggestions as rows (SKU, product, category, why); the reply's text only introduces them."""
    zh = language == "zh"
    header = ("SKU", "商品", "品类", "推荐理由") if zh else ("SKU", "Product", "Category", "Why")
    return (
        header,
        *(
            (
                r.product.sku,
                r.product.display_name(language),
                r.product.category,
                _reason(r, language, similar=similar),
            )
            for r in recs
        ),
    )

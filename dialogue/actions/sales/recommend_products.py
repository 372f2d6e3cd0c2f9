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
            block = _recommendation_lines(recs, ctx.language, similar=True)
            return [
                Reply("similar_products", {"sku": sku, "product_list": block}, table=_rec_table(ctx, recs))
            ]
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
    block = _recommendation_lines(recs, ctx.language, similar=False)
    return Reply(
        "recommendations",
        {"customer_name": customer.name, "product_list": block},
        table=_rec_table(ctx, recs),
        action="recommend_products",
    )


def _recommendation_lines(recs: Sequence[Recommendation], language: str, *, similar: bool) -> str:
    lines = []
    for n, rec in enumerate(recs, 1):
        p = rec.product
        if language == "zh":
            if similar:
                reason = f"与 {rec.anchor} 相似（相似度 {rec.score:.2f}）"
            elif rec.co_buyers:
                reason = f"购买 {rec.anchor} 的其他客户中有 {rec.co_buyers} 位也购买了它"
            else:
                reason = f"与其已购的 {rec.anchor} 相似"
            lines.append(f"{n}. {p.sku} {p.name}（{p.category}）— {reason}")
        else:
            if similar:
                reason = f"similar to {rec.anchor} (similarity {rec.score:.2f})"
            elif rec.co_buyers == 1:
                reason = f"another customer who buys {rec.anchor} also buys it"
            elif rec.co_buyers:
                reason = f"{rec.co_buyers} other customers who buy {rec.anchor} also buy it"
            else:
                reason = f"similar to {rec.anchor}, which they already buy"
            lines.append(f"{n}. {p.sku} {p.name} ({p.category}) — {reason}")
    return "\n".join(lines)


def _rec_table(ctx: TurnContext, recs: Sequence[Recommendation]) -> tuple[tuple[str, ...], ...]:
    header = (
        ("SKU", "商品", "品类", "得分") if ctx.language == "zh" else ("SKU", "Product", "Category", "Score")
    )
    return (header, *((r.product.sku, r.product.name, r.product.category, f"{r.score:.2f}") for r in recs))

"""Product recommendations: co-purchases ("customers who bought X also bought Y") and text similarity."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from dialogue.backend import Backend, Product
from dialogue.embedding import Embedder, Vectors

# A catalogue up to this size is encoded at start-up (Recommender.warm); a larger one on first use,
# so that the process does not wait minutes before it says it is ready.
WARMED_PRODUCTS = 5_000


class ProductEmbeddings:
    """Product text embeddings, cached per text so catalogue changes re-encode only what changed."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._by_text: dict[str, npt.NDArray[np.float32]] = {}

    async def matrix(self, products: Sequence[Product]) -> Vectors:
        missing = list(dict.fromkeys(p.text() for p in products if p.text() not in self._by_text))
        if missing:
            vectors = np.asarray(await self._embedder.encode(missing), dtype=np.float32)
            self._by_text.update(zip(missing, vectors, strict=True))
        if not products:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._by_text[p.text()] for p in products]).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Recommendation:
    product: Product
    score: float
    co_buyers: int
    anchor: str  # the SKU the customer already buys that this one relates to most


class Recommender:
    """Co-purchase (customers who bought X also bought Y) blended with product text similarity."""

    def __init__(
        self, embedder: Embedder, *, co_weight: float = 0.6, top_k: int = 5, min_similarity: float = 0.35
    ) -> None:
        self._embeddings = ProductEmbeddings(embedder)
        self._co_weight = co_weight
        self._min_similarity = min_similarity  # a product nobody co-bought needs at least this similarity
        self.top_k = top_k

    async def warm(self, backend: Backend, today: date) -> int:
        """Encode the catalogue and read the co-purchases now, not on the first recommendation (a data
        warm-up: dialogue.actions.base.ActionTable); returns the products encoded, 0 for a catalogue of
        more than WARMED_PRODUCTS."""
        products = await backend.list_products()
        if len(products) > WARMED_PRODUCTS:
            return 0
        await backend.purchase_lines()
        await self._embeddings.matrix(products)
        return len(products)

    async def for_customer(self, backend: Backend, customer_id: str) -> list[Recommendation]:
        baskets: dict[str, set[str]] = defaultdict(set)
        for line in await backend.purchase_lines():
            baskets[line.customer_id].add(line.sku)
        profile = await backend.customer_profile(customer_id)
        owned = set(baskets.get(customer_id, set()))
        if profile is not None:
            owned |= set(profile.purchased_skus)
        if not owned:
            return []
        co: dict[str, float] = defaultdict(float)
        co_buyers: dict[str, int] = defaultdict(int)
        via: dict[str, Counter[str]] = defaultdict(Counter)  # candidate -> owned SKUs that led to it
        for other, basket in baskets.items():
            shared = owned & basket
            if other == customer_id or not shared:
                continue
            for sku in basket - owned:
                co[sku] += len(shared) / len(basket)
                co_buyers[sku] += 1
                via[sku].update(shared)
        products = list(await backend.list_products())
        candidates = [p for p in products if p.sku not in owned]
        anchors = [p for p in products if p.sku in owned]
        if not candidates:
            return []
        if anchors:
            sims = (await self._embeddings.matrix(candidates)) @ (await self._embeddings.matrix(anchors)).T
        else:
            sims = np.zeros((len(candidates), 1), dtype=np.float32)
        top_co = max(co.values(), default=0.0) or 1.0
        scored = []
        for i, product in enumerate(candidates):
            j = int(np.argmax(sims[i]))
            similarity = max(0.0, float(sims[i, j]))
            bought_with = co.get(product.sku, 0.0)
            if not bought_with and similarity < self._min_similarity:
                continue
            score = self._co_weight * bought_with / top_co + (1 - self._co_weight) * similarity
            if bought_with:
                anchor = sorted(via[product.sku].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            else:
                anchor = anchors[j].sku if anchors else ""
            scored.append(Recommendation(product, score, co_buyers.get(product.sku, 0), anchor))
        scored.sort(key=lambda r: (-r.score, r.product.sku))
        return scored[: self.top_k]

    async def similar_to(self, backend: Backend, product: Product) -> list[Recommendation]:
        others = [p for p in await backend.list_products() if p.sku != product.sku]
        if not others:
            return []
        sims = (await self._embeddings.matrix(others)) @ (await self._embeddings.matrix([product]))[0]
        order = np.argsort(-sims)[: self.top_k]
        return [Recommendation(others[i], float(sims[i]), 0, product.sku) for i in order]

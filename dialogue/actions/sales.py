"""Sales intents: customer_lookup, sales_summary, customer_industry, recommend_products, product_description.

Form "customer_name" (slot "customer_for" = the intent that asked): the next message names the
customer; "cancel" closes it; a message that names no known customer and is not a short answer
returns [] so the manager handles it (the form stays until another form replaces it).
Form "product_description": the next message gives a SKU or the product's attributes.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml
from rapidfuzz import fuzz

from dialogue.actions.base import Action, Reply, TurnContext
from dialogue.actions.common import (
    answer_of,
    cancel_reply,
    close_form,
    close_form_if,
    fmt_date,
    fmt_money,
    is_bare_answer,
    keep_form_language,
    money,
    open_form,
    status_label,
)
from dialogue.backend import Backend, Customer, CustomerProfile, Product
from dialogue.embedding import Embedder, EmbeddingCache, Vectors, normalize_rows, softmax
from dialogue.errors import OpsbotError

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CUSTOMER_FORM = "customer_name"
CUSTOMER_FOR = "customer_for"
PRODUCT_FORM = "product_description"


# ---------------------------------------------------------------------------------------------
# Customers named in a message
# ---------------------------------------------------------------------------------------------

_STOPWORDS = frozenset(
    """
    a an the to of for about on in at is are was who what which whats what's tell me show give get find look
    lookup up info information details detail profile customer customers client clients account please pls
    can could you we us our i my should pitch recommend recommendation recommendations suggest sell offer
    products product items item industry sector business kind type does do did they their it its in
    classify category vertical summary with and or this that these those buy buys bought new more some
    any other like similar hey hi hello opsbot bot about how has have be from
    """.split()  # noqa: SIM905
)
_ZH_NOISE = re.compile(
    r"查一下|查询|查查|帮我|请问|介绍一下|介绍|客户|资料|信息|情况|属于|哪个|什么|行业|领域|推荐|产品|商品|"
    r"给|的|是|一下|看看|我们|应该|向|卖|些|类似|和|与|公司|吗|呢|么|请|关于"
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9&'.\-]*|[\u3400-\u9fff]+")
_LEGAL = re.compile(r"\s+(corp\.?|corporation|inc\.?|ltd\.?|llc|co\.?|gmbh|limited|plc)$", re.I)


def _candidates(text: str) -> list[str]:
    """Word n-grams that could be a customer name, longest first."""
    tokens: list[str] = []
    runs: list[list[str]] = []
    for raw in _TOKEN.findall(text):
        if re.match(r"[\u3400-\u9fff]", raw):
            for piece in _ZH_NOISE.split(raw):
                if len(piece) >= 2:
                    runs.append(tokens)
                    tokens = []
                    runs.append([piece])
            continue
        word = raw.strip(".'-")
        if word.lower() in _STOPWORDS or not word or re.fullmatch(r"[A-Za-z]{1,4}-?\d+", word):
            if tokens:
                runs.append(tokens)
            tokens = []
        else:
            tokens.append(word)
    runs.append(tokens)
    found: list[str] = []
    for run in runs:
        for size in range(min(len(run), 4), 0, -1):
            for i in range(len(run) - size + 1):
                candidate = " ".join(run[i : i + size])
                if len(candidate) >= 2 and candidate not in found:
                    found.append(candidate)
    return sorted(found, key=len, reverse=True)[:12]


def _name_matches(candidate: str, customer: Customer) -> bool:
    """Guard against substring hits ("IT" in "Initech"): the candidate must look like the name."""
    cand = candidate.casefold().strip()
    name = customer.name.casefold()
    forms = {name, _LEGAL.sub("", name).strip(), name.split()[0], customer.id.casefold()}
    return any(cand == f or fuzz.ratio(cand, f) >= 85 for f in forms if f)


async def find_customer_in(ctx: TurnContext, *, whole_text: bool = False) -> tuple[Customer | None, str]:
    """The customer a message names (NLU entity, then names in the text) and a best guess of the name."""
    backend = ctx.services.backend
    entity = ctx.nlu.entity("customer")
    if entity is not None:
        customer = await backend.find_customer(str(entity.value))
        if customer is not None:
            return customer, customer.name
    candidates = _candidates(ctx.message.text)
    if whole_text and ctx.message.text.strip():
        candidates.insert(0, ctx.message.text.strip().strip(".?!。？！"))
    for candidate in candidates:
        customer = await backend.find_customer(candidate)
        if customer is not None and (_name_matches(candidate, customer) or candidate == customer.id):
            return customer, customer.name
    guess = next((c for c in candidates if re.search(r"[A-Z\u3400-\u9fff]", c)), "")
    return None, guess


def _ask_customer(ctx: TurnContext, intent: str) -> list[Reply]:
    open_form(ctx, CUSTOMER_FORM)
    ctx.session.slots[CUSTOMER_FOR] = intent
    return [Reply("customer_ask_name")]


# ---------------------------------------------------------------------------------------------
# customer_lookup
# ---------------------------------------------------------------------------------------------


async def customer_lookup(ctx: TurnContext) -> list[Reply]:
    customer, guess = await find_customer_in(ctx)
    if customer is None:
        if guess:
            return [Reply("customer_not_found", {"customer_name": guess})]
        return _ask_customer(ctx, "customer_lookup")
    return [await _profile_reply(ctx, customer)]


async def _profile_reply(ctx: TurnContext, customer: Customer) -> Reply:
    profile = await ctx.services.backend.customer_profile(customer.id)
    if profile is None:
        return Reply("customer_not_found", {"customer_name": customer.name})
    zh = ctx.language == "zh"
    orders = profile.last_orders[:5]
    currency = orders[0].currency if orders else "USD"
    order_lines = [
        f"• {o.id} · {fmt_date(o.created_at.date())} · {status_label(o.status, ctx.language)} · "
        f"{fmt_money(o.total, o.currency)}"
        for o in orders
    ] or (["• 暂无订单"] if zh else ["• no orders yet"])
    issue_lines = [f"• {issue}" for issue in profile.open_issues] or (["• 无"] if zh else ["• none"])
    header = ("订单", "日期", "状态", "金额") if zh else ("Order", "Date", "Status", "Total")
    rows: list[tuple[str, ...]] = [header]
    rows.extend(
        (
            o.id,
            fmt_date(o.created_at.date()),
            status_label(o.status, ctx.language),
            fmt_money(o.total, o.currency),
        )
        for o in orders
    )
    facts: dict[str, object] = {
        "customer_name": customer.name,
        "contact_name": customer.contact_name or "-",
        "email": customer.email or "-",
        "lifetime_value": money(profile.lifetime_value, currency),
        "order_count": profile.order_count,
        "last_orders": "\n".join(order_lines),
        "open_issues": "\n".join(issue_lines),
    }
    return Reply("customer_profile", facts, table=tuple(rows), action="customer_lookup")


# ---------------------------------------------------------------------------------------------
# sales_summary
# ---------------------------------------------------------------------------------------------

_PERIODS: list[tuple[str, re.Pattern[str]]] = [
    ("last_week", re.compile(r"last\s+week|previous\s+week|past\s+week|上周|上星期|上个星期|上礼拜", re.I)),
    ("this_week", re.compile(r"this\s+week|current\s+week|week\s+to\s+date|本周|这周|这个星期|本星期", re.I)),
    ("last_month", re.compile(r"last\s+month|previous\s+month|past\s+month|上个?月", re.I)),
    ("this_month", re.compile(r"this\s+month|current\s+month|month\s+to\s+date|本月|这个月", re.I)),
    ("yesterday", re.compile(r"yesterday|昨天|昨日", re.I)),
    ("today", re.compile(r"today|今天|今日", re.I)),
]
_PERIOD_NAMES = {
    "this_week": ("this week", "本周"),
    "last_week": ("last week", "上周"),
    "this_month": ("this month", "本月"),
    "last_month": ("last month", "上个月"),
    "today": ("today", "今天"),
    "yesterday": ("yesterday", "昨天"),
}


def parse_period(text: str, today: date) -> tuple[str, date, date]:
    """(period key, start, end exclusive); this week when the text names no period."""
    key = next((k for k, pattern in _PERIODS if pattern.search(text)), "this_week")
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    if key == "last_week":
        return key, week_start - timedelta(days=7), week_start
    if key == "this_month":
        return key, month_start, today + timedelta(days=1)
    if key == "last_month":
        prev_start = (month_start - timedelta(days=1)).replace(day=1)
        return key, prev_start, month_start
    if key == "yesterday":
        return key, today - timedelta(days=1), today
    if key == "today":
        return key, today, today + timedelta(days=1)
    return key, week_start, today + timedelta(days=1)


async def sales_summary(ctx: TurnContext) -> list[Reply]:
    key, start, end = parse_period(ctx.message.text, ctx.now.date())
    summary = await ctx.services.backend.sales_summary(start, end)
    zh = ctx.language == "zh"
    name = _PERIOD_NAMES[key][1 if zh else 0]
    last_day = end - timedelta(days=1)
    span = start.isoformat() if start == last_day else f"{start.isoformat()} – {last_day.isoformat()}"
    period = f"{name}（{span}）" if zh else f"{name} ({span})"
    none = "• 无" if zh else "• none"

    def block(items: Sequence[tuple[str, Decimal]]) -> str:
        return "\n".join(f"• {label}: {fmt_money(value, summary.currency)}" for label, value in items) or none

    facts: dict[str, object] = {
        "period": period,
        "order_count": summary.order_count,
        "revenue": money(summary.revenue, summary.currency),
        "top_suppliers": block(summary.top_suppliers),
        "top_categories": block(summary.top_categories),
        "late_orders": len(summary.late_orders),
        "escalations": summary.escalations,
    }
    labels = (
        ("指标", "数值", "订单数", "收入", "延迟订单", "升级工单", "主要供应商", "主要品类")
        if zh
        else (
            "Metric",
            "Value",
            "Orders",
            "Revenue",
            "Late orders",
            "Escalations",
            "Top supplier",
            "Top category",
        )
    )
    rows: list[tuple[str, ...]] = [
        (labels[0], labels[1]),
        (labels[2], str(summary.order_count)),
        (labels[3], fmt_money(summary.revenue, summary.currency)),
        (labels[4], ", ".join(summary.late_orders) or "0"),
        (labels[5], str(summary.escalations)),
    ]
    rows.extend(
        (f"{labels[6]} {i}", f"{n}: {fmt_money(v, summary.currency)}")
        for i, (n, v) in enumerate(summary.top_suppliers, 1)
    )
    rows.extend(
        (f"{labels[7]} {i}", f"{n}: {fmt_money(v, summary.currency)}")
        for i, (n, v) in enumerate(summary.top_categories, 1)
    )
    return [Reply("sales_summary", facts, table=tuple(rows))]


# ---------------------------------------------------------------------------------------------
# customer_industry
# ---------------------------------------------------------------------------------------------


class IndustryDataError(OpsbotError):
    """dialogue/data/industries.yml is missing or malformed."""


@dataclass(frozen=True, slots=True)
class IndustryLabel:
    key: str
    names: Mapping[str, str]  # language -> display name
    examples: tuple[str, ...]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.key.replace("_", " ")


def load_industries(path: str | Path = DATA_DIR / "industries.yml") -> list[IndustryLabel]:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IndustryDataError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise IndustryDataError(f"{path}: expected a mapping of industry labels")
    labels = []
    for key, spec in raw.items():
        examples = (spec or {}).get("examples") or []
        if not isinstance(examples, list) or len(examples) < 2:
            raise IndustryDataError(f"{path}: {key} needs at least two examples")
        names = {lang: str(spec[lang]) for lang in ("en", "zh") if spec.get(lang)}
        labels.append(IndustryLabel(str(key), names, tuple(str(e) for e in examples)))
    return labels


@dataclass(frozen=True, slots=True)
class IndustryGuess:
    label: IndustryLabel
    confidence: float
    ranking: tuple[tuple[str, float], ...]


class IndustryClassifier:
    """Nearest centroid blended with the mean of the two nearest examples; softmax gives the confidence."""

    def __init__(
        self, labels: Sequence[IndustryLabel], embedder: Embedder, *, temperature: float = 0.04
    ) -> None:
        if not labels:
            raise IndustryDataError("no industry labels")
        self._labels = list(labels)
        self._embedder = embedder
        self._temperature = temperature
        self._owner = [i for i, label in enumerate(self._labels) for _ in label.examples]
        self._cache = EmbeddingCache(embedder, [e for label in self._labels for e in label.examples])

    async def scores(self, text: str) -> npt.NDArray[np.float64]:
        """One similarity score per label."""
        vectors = await self._cache.vectors()
        query = np.asarray(await self._embedder.encode([text]), dtype=np.float32)[0]
        sims = (vectors @ query).astype(np.float64)
        owner = np.asarray(self._owner)
        out = np.zeros(len(self._labels), dtype=np.float64)
        for i in range(len(self._labels)):
            member = vectors[owner == i]
            centroid = normalize_rows(member.mean(axis=0, keepdims=True))[0]
            nearest = np.sort(sims[owner == i])[::-1][:2]
            out[i] = 0.5 * float(centroid @ query) + 0.5 * float(nearest.mean())
        return out

    async def classify(self, texts: Sequence[tuple[str, float]]) -> IndustryGuess:
        """Classify weighted texts (e.g. a description weighted 0.8 and purchases weighted 0.2)."""
        total = np.zeros(len(self._labels), dtype=np.float64)
        weight_sum = 0.0
        for text, weight in texts:
            if text.strip() and weight > 0:
                total += weight * await self.scores(text)
                weight_sum += weight
        if weight_sum:
            total /= weight_sum
        proba = softmax(total, self._temperature)
        order = np.argsort(-proba)
        ranking = tuple((self._labels[i].key, round(float(proba[i]), 3)) for i in order[:3])
        best = int(order[0])
        return IndustryGuess(self._labels[best], round(float(proba[best]), 2), ranking)


_DESCRIBES_COMPANY = re.compile(
    r"\b(they|their|we|our|company|firm|business|startup|customer|client)\b.{0,40}?\b("
    r"do|does|make|makes|sell|sells|run|runs|operate|operates|provide|provides|produce|produces|build|builds|"
    r"offer|offers|are|is\s+an?|specialize|specializes|manufacture|manufactures|develop|develops)\b|"
    r"他们|这家|一家|该公司|做.{1,12}的|从事|经营|生产|提供|开发",
    re.I,
)
_QUESTION_FRAME = re.compile(
    r"^(?:what|which)\s+industry\s+(?:is|are|would)\s+(?:a\s+)?(?:company|business|customer)?\s*"
    r"(?:that|which|who)?\s*|^(?:classify|categorize)\s*(?:this)?[:：]?\s*|"
    r"(?:what|which)\s+industry\s+(?:is\s+)?(?:that|this|it)\??$|属于哪个行业[？?]?|是什么行业[？?]?",
    re.I,
)


def make_customer_industry(classifier: IndustryClassifier) -> Action:
    async def customer_industry(ctx: TurnContext) -> list[Reply]:
        text = ctx.message.text
        describes = bool(_DESCRIBES_COMPANY.search(text)) and len(_TOKEN.findall(text)) >= 4
        customer, guess = await find_customer_in(ctx)
        if customer is not None:
            return [await industry_of_customer(ctx, classifier, customer)]
        if describes:
            description = _QUESTION_FRAME.sub("", text).strip() or text
            result = await classifier.classify([(description, 1.0)])
            facts = {"industry": result.label.name(ctx.language), "confidence": result.confidence}
            return [Reply("text_industry", facts)]
        if guess:
            return [Reply("customer_not_found", {"customer_name": guess})]
        return _ask_customer(ctx, "customer_industry")

    return customer_industry


async def industry_of_customer(ctx: TurnContext, classifier: IndustryClassifier, customer: Customer) -> Reply:
    backend = ctx.services.backend
    profile = await backend.customer_profile(customer.id)
    bought = await _purchased_products(backend, profile)
    categories = ", ".join(dict.fromkeys(p.category for p in bought if p.category))
    texts: list[tuple[str, float]] = []
    if customer.description:
        texts.append((f"{customer.name}. {customer.description}", 0.8))
    if categories:
        texts.append((f"Buys {categories}: " + ", ".join(p.name for p in bought[:8]), 0.2))
    if not texts:
        texts.append((customer.name, 1.0))
    result = await classifier.classify(texts)
    facts = {
        "customer_name": customer.name,
        "industry": result.label.name(ctx.language),
        "confidence": result.confidence,
    }
    return Reply("customer_industry", facts, action="customer_industry")


async def _purchased_products(backend: Backend, profile: CustomerProfile | None) -> list[Product]:
    if profile is None:
        return []
    products = []
    for sku in profile.purchased_skus:
        product = await backend.get_product(sku)
        if product is not None:
            products.append(product)
    return products


# ---------------------------------------------------------------------------------------------
# recommend_products
# ---------------------------------------------------------------------------------------------


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
            return _ask_customer(ctx, "recommend_products")
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


def _rec_table(ctx: TurnContext, recs: Sequence[Recommendation]) -> tuple[tuple[str, ...], ...]:
    header = (
        ("SKU", "商品", "品类", "得分") if ctx.language == "zh" else ("SKU", "Product", "Category", "Score")
    )
    return (header, *((r.product.sku, r.product.name, r.product.category, f"{r.score:.2f}") for r in recs))


# ---------------------------------------------------------------------------------------------
# The customer-name form, shared by the three customer intents
# ---------------------------------------------------------------------------------------------


def make_customer_form(classifier: IndustryClassifier, recommender: Recommender) -> Action:
    async def customer_form(ctx: TurnContext) -> list[Reply]:
        if not ctx.sales_allowed:
            return []
        intent = str(ctx.session.slots.get(CUSTOMER_FOR) or "customer_lookup")
        if answer_of(ctx) == "cancel":
            keep_form_language(ctx)
            close_form(ctx, CUSTOMER_FOR)
            return cancel_reply(ctx)
        customer, guess = await find_customer_in(ctx, whole_text=is_bare_answer(ctx, max_extra_words=4))
        if customer is None:
            short = len(_TOKEN.findall(ctx.message.text)) <= 4 and ctx.nlu.intent in (intent, "out_of_scope")
            if not (short and guess):
                return []
            close_form(ctx, CUSTOMER_FOR)
            return [Reply("customer_not_found", {"customer_name": guess}, action=intent)]
        close_form(ctx, CUSTOMER_FOR)
        if intent == "customer_industry":
            return [await industry_of_customer(ctx, classifier, customer)]
        if intent == "recommend_products":
            return [await recommendations_for(ctx, recommender, customer)]
        return [await _profile_reply(ctx, customer)]

    return customer_form


# ---------------------------------------------------------------------------------------------
# product_description
# ---------------------------------------------------------------------------------------------

_REQUEST_EN = re.compile(
    r"^\s*(?:hey\s+|hi\s+)?(?:opsbot[,:]?\s*)?(?:please\s+|can\s+you\s+|could\s+you\s+)?"
    r"(?:write|create|generate|draft|give\s+me|make|prepare|need)\s+(?:me\s+|us\s+)?(?:up\s+)?"
    r"(?:a\s+|an\s+|the\s+|some\s+)?(?:short\s+|quick\s+|new\s+)?(?:product\s+)?"
    r"(?:description|listing|copy|blurb|text)s?\s*(?:for|of|about|:)?\s*(?:a\s+|an\s+|the\s+|our\s+|my\s+)?",
    re.I,
)
_REQUEST_ZH = re.compile(
    r"(?:请|帮我|帮忙|麻烦)?(?:给|为)?(?:我)?(?:写|生成|撰写|起草|做)(?:一?[段个份条])?(?:商品|产品)?"
    r"(?:描述|文案|介绍|详情)[:：,，]?|(?:请|帮我|帮忙)?(?:给|为)"
)
_SIZE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:x|×|\*)\s*\d+(?:\.\d+)?(?:\s*(?:x|×|\*)\s*\d+(?:\.\d+)?)?\s*(?:cm|mm|m|in|inch|厘米|毫米)?"
    r"|\d+(?:\.\d+)?\s*(?:ml|l|cm|mm|kg|g|inch|in|oz|litre|liter|厘米|毫米|升|毫升|寸|公斤)(?![A-Za-z])"
    r"|(?:size|尺寸|尺码)\s*[:：]?\s*[A-Za-z0-9]+",
    re.I,
)
_MATERIALS = (
    "organic cotton",
    "cotton canvas",
    "stainless steel",
    "galvanized steel",
    "recycled plastic",
    "bamboo viscose",
    "merino wool",
    "oak wood",
    "borosilicate glass",
    "cotton",
    "linen",
    "polyester",
    "nylon",
    "leather",
    "wool",
    "silk",
    "bamboo",
    "canvas",
    "steel",
    "aluminium",
    "aluminum",
    "glass",
    "ceramic",
    "stoneware",
    "porcelain",
    "oak",
    "wood",
    "wooden",
    "plastic",
    "silicone",
    "rubber",
    "paper",
    "cardboard",
    "kraft paper",
    "jute",
    "denim",
    "felt",
    "polypropylene",
    "acrylic",
    "nitrile",
    "titanium",
    "copper",
    "brass",
    "纯棉",
    "有机棉",
    "帆布",
    "亚麻",
    "涤纶",
    "尼龙",
    "皮革",
    "真皮",
    "羊毛",
    "丝绸",
    "竹",
    "不锈钢",
    "铝合金",
    "玻璃",
    "陶瓷",
    "橡木",
    "实木",
    "木",
    "塑料",
    "硅胶",
    "牛皮纸",
    "纸",
    "棉",
)
_COLORS = (
    "black",
    "white",
    "grey",
    "gray",
    "navy blue",
    "navy",
    "blue",
    "red",
    "green",
    "forest green",
    "yellow",
    "beige",
    "brown",
    "pink",
    "silver",
    "gold",
    "natural",
    "黑色",
    "白色",
    "灰色",
    "藏青色",
    "蓝色",
    "红色",
    "绿色",
    "黄色",
    "米色",
    "棕色",
    "粉色",
    "银色",
    "金色",
    "原木色",
)
_CATEGORIES = {
    "bag": "bags",
    "tote": "bags",
    "backpack": "bags",
    "towel": "home textiles",
    "sheet": "home textiles",
    "blanket": "home textiles",
    "runner": "home textiles",
    "pillow": "home textiles",
    "apron": "workwear",
    "cable": "electronics",
    "charger": "electronics",
    "earbuds": "electronics",
    "lamp": "lighting",
    "plug": "electronics",
    "power bank": "electronics",
    "plate": "kitchenware",
    "board": "kitchenware",
    "jar": "kitchenware",
    "mug": "kitchenware",
    "cup": "kitchenware",
    "bottle": "drinkware",
    "box": "packaging",
    "mailer": "packaging",
    "gloves": "safety",
    "boots": "safety",
    "vest": "safety",
    "hat": "safety",
    "drill": "tools",
    "shelf": "storage",
    "chair": "furniture",
    "desk": "furniture",
    "table": "furniture",
    "包": "箱包",
    "袋": "箱包",
    "毛巾": "家纺",
    "床单": "家纺",
    "毯": "家纺",
    "围裙": "工作服",
    "数据线": "电子产品",
    "耳机": "电子产品",
    "台灯": "灯具",
    "灯": "灯具",
    "盘": "厨具",
    "砧板": "厨具",
    "杯": "杯具",
    "瓶": "杯具",
    "箱": "包装",
    "手套": "劳保用品",
    "椅": "家具",
    "桌": "家具",
}
_WITH = re.compile(r"\s+with\s+", re.I)


def attributes_from_text(text: str) -> dict[str, str]:
    """A best-effort attribute dict from a free-text request; {} when no product is named."""
    zh = bool(re.search(r"[\u3400-\u9fff]", text)) and len(re.findall(r"[\u3400-\u9fff]", text)) * 3 >= len(
        re.findall(r"[A-Za-z]", text)
    )
    body = _REQUEST_ZH.sub("", text, count=1) if zh else _REQUEST_EN.sub("", text, count=1)
    body = body.strip().rstrip(".!?。！？")
    parts = [p.strip() for p in re.split(r"[,;，；、\n]|" + _WITH.pattern, body) if p and p.strip()]
    if not parts:
        return {}
    sizes: list[str] = []
    rest: list[str] = []
    for part in parts:
        m = _SIZE.search(part)
        if m and len(m.group(0)) >= len(part) * 0.6:
            sizes.append(m.group(0).strip())
        else:
            rest.append(part)
    if not rest:
        return {}
    head = rest[0]
    m = _SIZE.search(head)
    if m:
        sizes.append(m.group(0).strip())
        head = (head[: m.start()] + head[m.end() :]).strip()
    head = re.sub(
        r"(?:的)?(?:商品|产品)?(?:写|生成)?(?:一?[段个份条])?(?:商品|产品)?(?:描述|文案)$", "", head
    ).strip()
    head = re.sub(r"^(?:a|an|the|our|my|some)\s+", "", head, flags=re.I).strip()
    if not head or len(head) > 80:
        return {}
    folded = head.casefold()
    attrs: dict[str, str] = {}
    material = next((mat for mat in _MATERIALS if mat in folded), "")
    color = next((c for c in _COLORS if re.search(rf"(?<![a-z]){re.escape(c)}(?![a-z])", folded)), "")
    category = next((cat for key, cat in _CATEGORIES.items() if key in folded), "")
    name = head if zh else " ".join(w[:1].upper() + w[1:] for w in head.split())
    attrs["name"] = name
    if category:
        attrs["category"] = category
    if material:
        attrs["material"] = material
    if color:
        attrs["color"] = color
    if sizes:
        attrs["size"] = ", ".join(sizes)
    features = [p for p in rest[1:] if p]
    if features:
        attrs["features"] = "、".join(features) if zh else ", ".join(features)
    return attrs


def product_attributes(product: Product) -> dict[str, str]:
    attrs = {"name": product.name}
    for key, value in (
        ("category", product.category),
        ("material", product.material),
        ("size", product.size),
        ("features", product.features),
    ):
        if value:
            attrs[key] = value
    return attrs


async def _describe(ctx: TurnContext, *, in_form: bool) -> list[Reply]:
    sku_entity = ctx.nlu.entity("sku")
    action = PRODUCT_FORM
    if sku_entity is not None:
        sku = str(sku_entity.value)
        product = await ctx.services.backend.get_product(sku)
        close_form_if(ctx, PRODUCT_FORM)
        if product is None:
            return [Reply("product_not_found", {"sku": sku}, action=action)]
        attrs = product_attributes(product)
        return [Reply("product_description", attrs, action=action, product_attributes=attrs)]
    attrs = attributes_from_text(ctx.message.text)
    if "name" in attrs:
        close_form_if(ctx, PRODUCT_FORM)
        return [Reply("product_description", attrs, action=action, product_attributes=attrs)]
    if in_form:
        return []
    open_form(ctx, PRODUCT_FORM)
    return [Reply("product_ask", action=action)]


async def product_description(ctx: TurnContext) -> list[Reply]:
    return await _describe(ctx, in_form=False)


async def product_description_form(ctx: TurnContext) -> list[Reply]:
    if answer_of(ctx) == "cancel":
        keep_form_language(ctx)
        close_form(ctx)
        return cancel_reply(ctx)
    other_topic = ctx.nlu.intent not in ("product_description", "out_of_scope") and ctx.nlu.confidence >= 0.6
    if other_topic and not is_bare_answer(ctx, 1):
        return []  # a different request: the manager handles it, the form stays resumable
    return await _describe(ctx, in_form=True)

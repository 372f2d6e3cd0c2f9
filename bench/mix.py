"""The varied mix: the messages `bench/load.py` sends by default, as varied as suppliers' and sales reps'.

Built by a different method than the training data (nlu/data/), from three sources read at run time:

- public sets in `../shared/data/` (never copied into the project): CLINC150's greetings, thanks,
  goodbyes and "what can you do", its out-of-scope queries and off-domain intents, and the Chinese
  XQuAD-R questions (Wikipedia trivia, out of scope for a supply-chain bot);
- the held-out files in `bench/data/` (written for the benchmarks, never trained on): knowledge
  questions, intent paraphrases, analytics questions and company descriptions for the industry guess;
- templates x demo entities: the order ids, invoices, SKUs, categories and customers of
  `dialogue/data/demo.yml` and its generated sales history (PO-5001 upwards), EN and ZH.

Every message has a kind (the rows of the per-kind table) and a language. `varied_mix()` interleaves
the kinds in proportion to `WEIGHTS` (expected traffic: suppliers' questions first, sales reps' after,
one message in ten a trend or a forecast), about a third in Chinese, with no text twice.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / "bench" / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"
DEMO_FILE = ROOT / "dialogue" / "data" / "demo.yml"
CATEGORIES_FILE = ROOT / "dialogue" / "data" / "categories.yml"
SEED = 28

# Share of traffic per kind (sums to 100). Sales kinds are asked from the web chat (a sales channel).
WEIGHTS: dict[str, int] = {
    "order_status": 11,
    "payment_status": 7,
    "stock_query": 8,
    "stock_update": 3,
    "knowledge": 13,
    "complaint": 3,
    "handoff": 2,
    "smalltalk": 10,
    "out_of_scope": 8,
    "customer_lookup": 4,
    "industry": 6,
    "sales_summary": 4,
    "recommend": 3,
    "listing": 4,
    "trends": 6,
    "forecast": 5,
    "other": 3,
}
SALES_KINDS = frozenset(
    {"customer_lookup", "industry", "sales_summary", "recommend", "listing", "trends", "forecast"}
)
# Kinds after which a sender starts a new conversation: they open a confirmation or hand the chat to a
# person, and the next message would answer that instead of being the kind it is.
NEW_CONVERSATION_AFTER = frozenset({"stock_update", "handoff", "complaint"})

_HELDOUT_KIND = {
    "order_status": "order_status",
    "payment_status": "payment_status",
    "inventory_query": "stock_query",
    "inventory_update": "stock_update",
    "onboarding": "knowledge",
    "policy_question": "knowledge",
    "complaint": "complaint",
    "human_handoff": "handoff",
    "greeting": "smalltalk",
    "goodbye": "smalltalk",
    "thanks": "smalltalk",
    "help": "smalltalk",
    "out_of_scope": "out_of_scope",
    "customer_lookup": "customer_lookup",
    "customer_industry": "industry",
    "sales_summary": "sales_summary",
    "recommend_products": "recommend",
    "product_description": "listing",
    "market_trends": "trends",
    "demand_forecast": "forecast",
}
_CLINC_SMALLTALK = ("greeting", "goodbye", "thank_you", "what_can_i_ask_you")
_CLINC_OFF_DOMAIN = (
    "weather",
    "recipe",
    "tell_joke",
    "fun_fact",
    "flip_coin",
    "calories",
    "play_music",
    "timezone",
    "spelling",
    "meaning_of_life",
    "book_hotel",
    "travel_suggestion",
)
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class Probe:
    text: str
    kind: str
    language: str  # "en" | "zh"
    source: str  # "public" | "heldout" | "generated"

    @property
    def sales(self) -> bool:
        return self.kind in SALES_KINDS


def language_of(text: str) -> str:
    return "zh" if _HAN.search(text) else "en"


# --- sources -----------------------------------------------------------------------------------


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def heldout() -> list[Probe]:
    """bench/data: intent paraphrases, analytics questions, knowledge questions, company descriptions."""
    probes = []
    for name in ("nlu_heldout.csv", "nlu_heldout_analytics.csv"):
        for row in _csv(BENCH_DATA / name):
            kind = _HELDOUT_KIND.get(row["intent"])
            if kind:
                probes.append(Probe(row["text"], kind, language_of(row["text"]), "heldout"))
    for row in _csv(BENCH_DATA / "knowledge_heldout.csv"):
        probes.append(Probe(row["text"], "knowledge", row["language"], "heldout"))
    for i, row in enumerate(_csv(BENCH_DATA / "industries_xling.csv")):
        zh = row["language"] == "zh"
        frames = (
            ("这家公司属于哪个行业：{}", "{}，是什么行业？")
            if zh
            else (
                "what industry is this: {}",
                "{} - which industry is that?",
            )
        )
        text = frames[i % 2].format(row["text"].rstrip("。.") if i % 2 else row["text"])
        probes.append(Probe(text, "industry", row["language"], "heldout"))
    return probes


def public(shared: Path = SHARED_DATA) -> list[Probe]:
    """../shared/data: CLINC150 small talk, off-domain and out-of-scope queries; XQuAD-R Chinese trivia."""
    probes: list[Probe] = []
    clinc = json.loads((shared / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    for text, intent in clinc["test"]:
        if intent in _CLINC_SMALLTALK:
            probes.append(Probe(text, "smalltalk", "en", "public"))
        elif intent in _CLINC_OFF_DOMAIN:
            probes.append(Probe(text, "out_of_scope", "en", "public"))
    probes += [Probe(text, "out_of_scope", "en", "public") for text, _ in clinc["oos_test"][:200]]
    for row in _csv(shared / "faq_public" / "xquad_r" / "zh" / "queries.csv")[:400]:
        probes.append(Probe(row["text"], "out_of_scope", "zh", "public"))
    return probes


def demo_entities(path: Path = DEMO_FILE) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # the demo's live orders, and a sample of its generated sales history (dialogue/demo_history.py)
    orders = [o["id"] for o in data["orders"]] + [f"PO-{n}" for n in range(5001, 5400, 7)]
    return {
        "orders": orders,
        "invoices": [i["id"] for i in data["invoices"]],
        "skus": [p["sku"] for p in data["products"]],
        "product_names": [p["name"] for p in data["products"]],
        "customers": [c["name"] for c in data["customers"]],
        "suppliers": [s.get("name_zh") or s["name"] for s in data["suppliers"]],
        "categories": list(yaml.safe_load(CATEGORIES_FILE.read_text(encoding="utf-8"))),
    }


_CATEGORY_ZH = {
    "Home Textiles": "家纺",
    "Bags": "箱包",
    "Workwear": "工作服",
    "Electronics": "电子产品",
    "Kitchenware": "厨具",
    "Packaging": "包装",
    "Safety": "劳保",
    "Tools": "工具",
    "Storage": "仓储",
}

# kind -> language -> templates; {order} {invoice} {sku} {name} {customer} {category} {period}
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "order_status": {
        "en": (
            "any news on {order}?",
            "has {order} shipped yet",
            "ETA for {order} please",
            "status of {order}?",
        ),
        "zh": ("{order} 现在什么状态", "{order} 发货了没有", "{order} 预计哪天到"),
    },
    "payment_status": {
        "en": ("has {invoice} been paid for {order}?", "payment date for the invoice of {order}?"),
        "zh": ("{order} 的货款什么时候付", "{invoice} 付款了吗？订单 {order}"),
    },
    "stock_query": {
        "en": ("how many {sku} are left", "stock level of {sku}?", "do we still have {name} in stock"),
        "zh": ("{sku} 还剩多少库存", "{sku} 有货吗", "{sku} 现在库存多少件"),
    },
    "stock_update": {
        "en": ("we now have {n} units of {sku}", "update stock {sku} to {n}"),
        "zh": ("{sku} 库存更新为 {n} 件", "{sku} 现在有 {n} 件"),
    },
    "customer_lookup": {
        "en": ("tell me about {customer}", "who is our contact at {customer}?", "customer info {customer}"),
        "zh": ("查一下客户 {customer}", "{customer} 的联系人是谁"),
    },
    "industry": {
        "en": ("what industry is {customer} in", "which sector does {customer} belong to"),
        "zh": ("{customer} 属于哪个行业", "{customer} 是什么行业的"),
    },
    "sales_summary": {
        "en": ("sales summary for {period}", "how much did we sell {period}", "revenue {period}?"),
        "zh": ("{period_zh}的销售汇总", "{period_zh}卖了多少"),
    },
    "recommend": {
        "en": ("what should we pitch to {customer}", "recommend products for {customer}"),
        "zh": ("给 {customer} 推荐什么产品", "{customer} 还可能买什么"),
    },
    "listing": {
        "en": ("write a listing for {sku}", "draft a product description for {sku}"),
        "zh": ("给 {sku} 写一个商品描述", "帮我写 {sku} 的产品文案"),
    },
    "trends": {
        "en": (
            "how are {category} sales trending {period}",
            "market trend for {category} {period}",
            "is {sku} selling more or less {period}",
        ),
        "zh": (
            "{category_zh}{period_zh}的销售趋势",
            "{period_zh}{category_zh}卖得怎么样",
            "{sku} {period_zh}销量走势",
        ),
    },
    "forecast": {
        "en": (
            "forecast demand for {sku} for the next {weeks} weeks",
            "how many {sku} will we need over the next {weeks} weeks",
            "when will {sku} run out",
        ),
        "zh": (
            "预测 {sku} 未来 {weeks} 周的需求",
            "{sku} 什么时候会缺货",
            "{sku} 接下来 {weeks} 周要备多少货",
        ),
    },
    "handoff": {
        "en": (
            "can someone from your team call me about {order}",
            "I need a person to look at {invoice}",
            "put me through to an agent about {order}",
        ),
        "zh": ("{order} 的问题请转人工", "我要找人工客服处理 {invoice}", "请让同事联系我，关于 {order}"),
    },
    "complaint": {
        "en": (
            "{order} arrived late again, this is unacceptable",
            "you still haven't paid {invoice}, very disappointed",
            "the carton count on {order} was wrong and nobody answers",
        ),
        "zh": (
            "{order} 又延误了，太让人失望",
            "{invoice} 一直没付款，非常不满意",
            "{order} 的货少了，没人回复",
        ),
    },
    "smalltalk": {
        "en": ("good morning, {customer} account team here",),
        "zh": ("你好，我是{supplier}的", "谢谢，{order} 收到了", "好的，再见", "你能帮我做什么？", "早上好"),
    },
    "other": {
        "en": ("/help", "menu", "ok", "what else can you tell me about {order}"),
        "zh": ("好的", "还有别的吗", "菜单"),
    },
}
_PERIODS = (
    ("last week", "上周"),
    ("this month", "本月"),
    ("last month", "上个月"),
    ("this week", "本周"),
    ("yesterday", "昨天"),
    ("lately", "最近"),
)


def generated(entities: dict[str, list[str]] | None = None, seed: int = SEED) -> list[Probe]:
    """Templates x demo entities, EN and ZH."""
    found = entities or demo_entities()
    rng = random.Random(seed)
    probes: list[Probe] = []
    for kind, by_language in TEMPLATES.items():
        for language, templates in by_language.items():
            for template in templates:
                for _ in range(40):
                    period, period_zh = rng.choice(_PERIODS)
                    category = rng.choice(found["categories"])
                    sku_index = rng.randrange(len(found["skus"]))
                    text = template.format(
                        order=rng.choice(found["orders"]),
                        invoice=rng.choice(found["invoices"]),
                        sku=found["skus"][sku_index],
                        name=found["product_names"][sku_index].lower(),
                        customer=rng.choice(found["customers"]),
                        supplier=rng.choice(found["suppliers"]),
                        category=category.lower(),
                        category_zh=_CATEGORY_ZH.get(category, category),
                        period=period,
                        period_zh=period_zh,
                        n=rng.randrange(10, 2000),
                        weeks=rng.choice((4, 6, 8, 12)),
                    )
                    probes.append(Probe(text, kind, language, "generated"))
    return probes


# --- the mix -----------------------------------------------------------------------------------


def varied_mix(
    *,
    seed: int = SEED,
    shared: Path = SHARED_DATA,
    kinds: Sequence[str] | None = None,
    zh_share: float = 1 / 3,
) -> list[Probe]:
    """Distinct messages, kinds interleaved in proportion to WEIGHTS (only `kinds` where given), about
    `zh_share` in Chinese; as long as the pools allow without repeating a text."""
    rng = random.Random(seed)
    pools: dict[tuple[str, str], list[Probe]] = {}
    seen: set[str] = set()
    for probe in [*heldout(), *public(shared), *generated(seed=seed)]:
        key = probe.text.strip().lower()
        if key in seen:
            continue
        seen.add(key)
        pools.setdefault((probe.kind, probe.language), []).append(probe)
    for pool in pools.values():
        # held-out and public text first (the varied part), then generated, each shuffled
        rng.shuffle(pool)
        pool.sort(key=lambda p: p.source == "generated")
    wanted = {k: w for k, w in WEIGHTS.items() if kinds is None or k in kinds}
    out: list[Probe] = []
    credit = dict.fromkeys(wanted, 0.0)
    total = sum(wanted.values())
    zh_credit = 0.0
    while True:
        for kind in credit:
            credit[kind] += wanted[kind] / total
        kind = max(credit, key=lambda k: credit[k])
        credit[kind] -= 1.0
        zh_credit += zh_share
        language = "zh" if zh_credit >= 1.0 else "en"
        options = [pools.get((kind, language), []), pools.get((kind, "en" if language == "zh" else "zh"), [])]
        pool = next((p for p in options if p), None)
        if pool is None:
            return out
        probe = pool.pop(0)
        if probe.language == "zh":
            zh_credit -= 1.0
        out.append(probe)


def rounds_of(mix: Sequence[Probe], senders: int, rounds: int, offset: int = 0) -> Iterator[list[Probe]]:
    """Per sender, its `rounds` messages: sender n gets mix[offset + n + k*senders], wrapping around."""
    for n in range(senders):
        yield [mix[(offset + n + k * senders) % len(mix)] for k in range(rounds)]


def shares(mix: Sequence[Probe]) -> dict[str, object]:
    """What a mix holds: its size, share of Chinese, and count per kind and per source."""
    by_kind: dict[str, int] = {}
    by_source: dict[str, int] = {}
    for probe in mix:
        by_kind[probe.kind] = by_kind.get(probe.kind, 0) + 1
        by_source[probe.source] = by_source.get(probe.source, 0) + 1
    zh = sum(1 for p in mix if p.language == "zh")
    return {
        "messages": len(mix),
        "distinct": len({p.text for p in mix}),
        "zh_share": round(zh / max(1, len(mix)), 2),
        "kinds": dict(sorted(by_kind.items(), key=lambda kv: -kv[1])),
        "sources": by_source,
    }


if __name__ == "__main__":
    mix = varied_mix()
    print(json.dumps(shares(mix), ensure_ascii=False, indent=1))
    for probe in mix[:40]:
        print(f"{probe.kind:16s} {probe.language} {probe.source:9s} {probe.text}")

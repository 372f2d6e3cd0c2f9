"""The keyword NLU double: deterministic intents from keyword rules (EN and ZH), real rule-based entities.

It implements nlu.types.Parser, so the dialogue manager and the whole runtime take it in place of the
trained model. Entities come from the real nlu.entities.EntityExtractor; customer and supplier names
are found when a NameLookup (e.g. the fake backend) is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from nlu.entities import EntityExtractor
from nlu.gazetteer import IdLookup
from nlu.language import detect_language
from nlu.types import OUT_OF_SCOPE, NameLookup, NluResult

# First match wins, so the order matters: a complaint that asks for a person is a complaint.
RULES: tuple[tuple[str, str], ...] = (
    (r"complain|unacceptable|terrible|ridiculous|投诉|太差|不满", "complaint"),
    (r"\bhuman\b|\bagent\b|real person|人工", "human_handoff"),
    (r"^(hi|hello|hey)\b|^你好|^您好", "greeting"),
    (r"\b(bye|goodbye)\b|再见", "goodbye"),
    (r"\bthank|谢谢", "thanks"),
    (r"^help$|what can you do|帮助", "help"),
    (r"industry|sector|行业", "customer_industry"),
    (r"market|trend|走势|趋势|行情", "market_trends"),
    (r"forecast|how many .*\bneed\b|备多少|预测|要备", "demand_forecast"),
    (r"recommend|pitch|similar|推荐|类似", "recommend_products"),
    (r"description|listing|描述|文案", "product_description"),
    (r"\bsales\b|revenue|销售", "sales_summary"),
    (r"tell me about|look ?up|\bcustomer\b|客户|查一下", "customer_lookup"),
    (r"\b(set|update|change)\b.*(\d|stock)|make it|改成|改为|更新.*库存", "inventory_update"),
    (r"\bstock\b|inventory|库存", "inventory_query"),
    (
        r"payment terms|return|penalt|label|moq|minimum order|policy|deduct"
        r"|政策|罚|标签|起订量|退货|账期|付款条件|扣",
        "policy_question",
    ),
    (r"register|registration|documents|verif|onboard|sign up|注册|资料|审核|入驻|证书", "onboarding"),
    (r"invoice|\bpaid\b|payment|发票|付款|货款", "payment_status"),
    (r"\border\b|\bpo\b|po-|shipment|where is|订单|到哪|发货", "order_status"),
)
NEGATIVE = re.compile(r"unacceptable|terrible|ridiculous|angry|worst|太差|生气|气愤", re.I)
CONFIDENT = 0.9
UNSURE = 0.2


class KeywordParser:
    """Keyword intents, real entities, nlu.language's language; records every text it parses."""

    def __init__(
        self,
        names: NameLookup | None = None,
        *,
        today: date | Callable[[], date] | None = None,
        ids: IdLookup | None = None,
    ) -> None:
        clock: Callable[[], date] | None = (lambda: today) if isinstance(today, date) else today
        self._extractor = EntityExtractor(name_lookup=names, clock=clock, id_lookup=ids)
        self.calls: list[str] = []

    async def parse(self, text: str) -> NluResult:
        self.calls.append(text)
        intent = next((name for pattern, name in RULES if re.search(pattern, text, re.I)), OUT_OF_SCOPE)
        confidence = CONFIDENT if intent != OUT_OF_SCOPE else UNSURE
        return NluResult(
            text=text,
            intent=intent,
            confidence=confidence,
            ranking=((intent, confidence),),
            entities=self._extractor.extract(text),
            language=detect_language(text),
            sentiment="negative" if NEGATIVE.search(text) else "neutral",
            sentiment_score=-0.8 if NEGATIVE.search(text) else 0.0,
        )

"""Test doubles shared by the core tests: a keyword NLU and a template renderer."""

from __future__ import annotations

import re
from collections.abc import Mapping

from dialogue.nlg.types import RenderedReply
from nlu.types import OUT_OF_SCOPE, Entity, NluResult

_RULES: list[tuple[str, str]] = [
    (r"\b(hi|hello|hey)\b|你好|您好", "greeting"),
    (r"\b(bye|goodbye)\b|再见", "goodbye"),
    (r"\bthank|谢谢", "thanks"),
    (r"\bhelp\b|what can you do|帮助", "help"),
    (r"\bhuman\b|\bagent\b|人工", "human_handoff"),
    (r"\b(set|update)\b.*\b(stock|units?|to)\b|改成|库存改", "inventory_update"),
    (r"\bstock\b|库存", "inventory_query"),
    (r"\binvoice|\bpaid\b|付款|发票", "payment_status"),
    (r"\bwhere\b.*\b(po|order)|\bstatus\b|订单|到哪", "order_status"),
    (r"\bsales\b|销售", "sales_summary"),
]
_ID = re.compile(r"\b(PO|INV)-?\s?(\d{3,6})\b", re.IGNORECASE)
_SKU = re.compile(r"\b([A-Z]{2}-\d{3,4})\b")
_QTY = re.compile(r"(\d[\d,]*)\s*(units?|pcs|件)")


class KeywordParser:
    """A deterministic NLU double: keyword rules and simple regex entities."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def parse(self, text: str) -> NluResult:
        self.calls.append(text)
        intent = OUT_OF_SCOPE
        for pattern, name in _RULES:
            if re.search(pattern, text, re.IGNORECASE):
                intent = name
                break
        entities: list[Entity] = []
        for m in _ID.finditer(text):
            kind = "order_id" if m.group(1).upper() == "PO" else "invoice_id"
            entities.append(
                Entity(kind, m.group(0), m.start(), m.end(), f"{m.group(1).upper()}-{m.group(2)}")
            )
        for m in _SKU.finditer(text):
            if not m.group(1).startswith(("PO", "IN")):
                entities.append(Entity("sku", m.group(0), m.start(), m.end(), m.group(1)))
        for m in _QTY.finditer(text):
            entities.append(
                Entity("quantity", m.group(0), m.start(), m.end(), int(m.group(1).replace(",", "")))
            )
        zh = any("\u4e00" <= ch <= "\u9fff" for ch in text)
        conf = 0.95 if intent != OUT_OF_SCOPE else 0.2
        return NluResult(
            text=text,
            intent=intent,
            confidence=conf,
            ranking=((intent, conf),),
            entities=tuple(entities),
            language="zh" if zh else "en",
            sentiment="neutral",
        )


class EchoRenderer:
    """Renders `outcome: k=v, ...` so tests can assert on the grounded facts."""

    async def render(
        self, outcome: str, facts: Mapping[str, object], *, language: str, user_text: str = ""
    ) -> RenderedReply:
        text = outcome + (": " + ", ".join(f"{k}={v}" for k, v in facts.items()) if facts else "")
        return RenderedReply(text, outcome, language, text, used_fallback=False)

    async def describe_product(self, attributes: Mapping[str, str], *, language: str) -> RenderedReply:
        text = "Draft: " + ", ".join(attributes.values())
        return RenderedReply(text, "product_description", language, text, False, is_draft=True)

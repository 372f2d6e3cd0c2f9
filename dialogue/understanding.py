"""What the manager makes of a message before an action runs: the text actions read, ties between
two intents, the labels that offer a choice between them, and the result of saying nothing."""

from __future__ import annotations

from dataclasses import replace

from dialogue.messages import IncomingMessage
from nlu.normalize import cut
from nlu.types import OUT_OF_SCOPE, NluResult

# What the actions' own text helpers (periods, attributes, names, industries) read of a message: a
# platform allows 40,000 characters, and they need a few hundred. The NLU caps its own steps.
ACTION_TEXT_CHARS = 2000


def within_reach(message: IncomingMessage) -> IncomingMessage:
    """The message with its text cut to what actions read, so no long message stalls a turn."""
    if len(message.text) <= ACTION_TEXT_CHARS and len(message.rich_text) <= ACTION_TEXT_CHARS:
        return message
    return replace(
        message,
        text=cut(message.text, ACTION_TEXT_CHARS),
        rich_text=cut(message.rich_text, ACTION_TEXT_CHARS),
    )


INTENT_LABELS: dict[str, tuple[str, str]] = {
    "order_status": ("Order status", "订单状态"),
    "payment_status": ("Payment / invoice status", "付款 / 发票状态"),
    "inventory_update": ("Update stock", "更新库存"),
    "inventory_query": ("Check stock", "查询库存"),
    "onboarding": ("Supplier onboarding", "供应商入驻"),
    "policy_question": ("Policies", "平台政策"),
    "complaint": ("File a complaint", "投诉"),
    "human_handoff": ("Talk to a person", "联系人工客服"),
    "greeting": ("Greeting", "问候"),
    "goodbye": ("Goodbye", "再见"),
    "thanks": ("Thanks", "感谢"),
    "help": ("What I can do", "功能帮助"),
    "customer_lookup": ("Customer lookup", "客户查询"),
    "product_description": ("Product description", "商品描述"),
    "customer_industry": ("Customer industry", "客户行业"),
    "sales_summary": ("Sales summary", "销售汇总"),
    "recommend_products": ("Product recommendations", "商品推荐"),
    "market_trends": ("Market trends", "市场走势"),
    "demand_forecast": ("Demand forecast", "需求预测"),
}


# When the classifier hesitates between two intents, an entity that only one of them uses decides.
TIE_BREAKERS: tuple[tuple[frozenset[str], str, str, str], ...] = (
    # (the two intents, entity type, intent if present, intent if absent)
    (frozenset({"inventory_query", "inventory_update"}), "quantity", "inventory_update", "inventory_query"),
    (frozenset({"order_status", "payment_status"}), "invoice_id", "payment_status", "order_status"),
)


def break_tie_with_entities(nlu: NluResult) -> NluResult:
    if not nlu.ambiguous or len(nlu.ranking) < 2:
        return nlu
    pair = frozenset({nlu.ranking[0][0], nlu.ranking[1][0]})
    for intents, entity, if_present, if_absent in TIE_BREAKERS:
        if pair == intents:
            chosen = if_present if nlu.entity(entity) is not None else if_absent
            confidence = dict(nlu.ranking)[chosen]
            return replace(nlu, intent=chosen, confidence=max(confidence, nlu.confidence), ambiguous=False)
    return nlu


def describe_intent(intent: str, language: str) -> str:
    en, zh = INTENT_LABELS.get(intent, (intent, intent))
    return zh if language == "zh" else en


def empty_nlu(text: str, language: str) -> NluResult:
    return NluResult(
        text=text,
        intent=OUT_OF_SCOPE,
        confidence=0.0,
        ranking=(),
        entities=(),
        language=language,
        sentiment="neutral",
    )

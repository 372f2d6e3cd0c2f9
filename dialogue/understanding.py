"""What the manager makes of a message before an action runs: the text actions read, ties between
two intents, the phrases that offer a choice (of intents or knowledge entries), and the result of
saying nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialogue.faq import FaqEntry
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


# How a clarifying question offers an intent: a verb phrase in English ("Do you want to <phrase>?") and a
# phrase that reads after 是想/还是 in Chinese. A button shows the phrase with a capital.
INTENT_OFFERS: dict[str, tuple[str, str]] = {
    "order_status": ("check an order's status", "查询订单状态"),
    "payment_status": ("check an invoice's payment", "查询发票付款情况"),
    "inventory_update": ("update your stock", "更新库存"),
    "inventory_query": ("check your stock", "查询库存"),
    "onboarding": ("ask about becoming a supplier", "了解供应商入驻"),
    "policy_question": ("ask about our policies", "了解平台政策"),
    "complaint": ("make a complaint", "提出投诉"),
    "human_handoff": ("talk to a person", "联系人工客服"),
    "greeting": ("just say hello", "打个招呼"),
    "goodbye": ("end the chat", "结束对话"),
    "thanks": ("just say thanks", "表示感谢"),
    "help": ("see what I can do", "看看我能做什么"),
    "customer_lookup": ("look up a customer", "查询客户信息"),
    "product_description": ("get a product description", "生成商品描述"),
    "customer_industry": ("find a customer's industry", "查询客户所属行业"),
    "sales_summary": ("see a sales summary", "查看销售汇总"),
    "recommend_products": ("get product recommendations", "获取商品推荐"),
    "market_trends": ("see market trends", "查看市场走势"),
    "demand_forecast": ("get a demand forecast", "获取需求预测"),
}
INTENT_BUTTON = "intent:"
ENTRY_BUTTON = "faq:"


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a clarifying question: its button value, its phrase in the question, its label."""

    value: str  # "intent:<name>" | "faq:<entry id>"
    phrase: str  # "check an invoice's payment", "ask about our payment terms"; zh "查询发票付款情况"
    label: str  # "Check an invoice's payment"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def intent_option(intent: str, language: str) -> Option:
    en, zh = INTENT_OFFERS.get(intent, ("do something else", "办理其他事项"))
    phrase = zh if language == "zh" else en
    return Option(f"{INTENT_BUTTON}{intent}", phrase, capitalised(phrase))


def entry_option(entry: FaqEntry, language: str) -> Option:
    """A knowledge entry as a choice: "ask about <offer>" / "了解<offer>", the button its offer."""
    topic = entry.offer or entry.questions[0]
    if language == "zh":
        phrase = f"了解{topic}" if entry.offer else f"问“{topic}”"
    else:
        phrase = f"ask about {topic}" if entry.offer else f"ask “{topic}”"
    return Option(f"{ENTRY_BUTTON}{entry.id}", phrase, capitalised(topic))


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
    return intent_option(intent, language).phrase


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

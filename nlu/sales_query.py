"""A sales rep's question read as a query (issue 25): the metric, the dimension, the names it filters on,
the period, a comparison, a ranking; or a list reps act on (customers gone quiet), or a request to draft.

Rules, both languages, no model: the words are few and a wrong reading must be explainable. Names are
matched against what the store holds (nlu/sales_names.py). The result is plain data; the dialogue layer
turns it into a dialogue.queries.SalesQuery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from nlu.numerals import calendar_words, small_number
from nlu.period_spans import Found, span_in
from nlu.sales_names import NamedThing, NameMatch, SalesVocabulary, find_names

QuestionKind = Literal["query", "quiet", "draft"]
DEFAULT_LIMIT = 5
DEFAULT_QUIET_DAYS = 30
MAX_LIMIT = 50

# (metric, pattern): the first that matches is the metric. Specific ones before the general ones.
_METRICS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (metric, re.compile(pattern, re.I))
    for metric, pattern in (
        (
            "average_order_value",
            r"average\s+order(?:\s+value|\s+size)?|\baov\b|avg\.?\s+order|basket\s+size|客单价|平均订单|单均",
        ),
        ("on_time_rate", r"on[\s-]?time|punctual|准时|按时交|及时率"),
        (
            "late_orders",
            r"\blate\b|\bdelay(?:ed|s)?\b|overdue\s+orders?|behind\s+schedule|延迟|延误|逾期|迟交|晚交|拖期|延期|迟到",
        ),
        (
            "open_orders",
            r"\bopen\s+orders?|pending\s+orders?|unfulfilled|outstanding\s+orders?|未完成|未交付|在途|待交付",
        ),
        ("complaints", r"complain|complaints|escalation|投诉|客诉|升级工单"),
        ("returns", r"\breturns?\b|\brefunds?\b|退货|退款"),
        (
            "revenue",
            r"revenue|\brev\b|turnover|income|\bearn|bring\s+in|brought\s+in|\bspen[dt]|\bbilling|\bgmv\b|\$|销售额|营收|营业额|收入|业绩|金额|流水|成交额|买了多少钱|卖了多少钱",
        ),
        (
            "units",
            r"\bunits?\b|quantity|quantities|\bpieces\b|\bvolume\b|how\s+many\s+\w+\s+(?:did\s+we\s+)?sold|销量|件数|数量|多少件",
        ),
        ("orders", r"\borders?\b|order\s+count|下单|订单|多少单|单量"),
    )
)
# "sales" alone names revenue, but weakly: "how were sales last week" is the summary's question.
_WEAK_REVENUE = re.compile(
    r"\bsales\b|\bsold\b|\bsell(?:s|ing)?\b|\bbest[\s-]?sell|\bbuy(?:s|ing)?\b|销售|卖得|卖的|买得|买的|买了",
    re.I,
)
_DIMENSIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (dimension, re.compile(pattern, re.I))
    for dimension, pattern in (
        (
            "customer",
            r"\bcustomers?\b|\bclients?\b|\baccounts\b|\bbuyers?\b|\bwho\s+(?:buys|bought|ordered|spent|spends)|客户|买家|顾客|采购商",
        ),
        ("supplier", r"\bsuppliers?\b|\bvendors?\b|\bmakers?\b|供应商|厂家|厂商|供货商"),
        ("category", r"\bcategor(?:y|ies)\b|\bproduct\s+lines?\b|品类|类别|类目|分类"),
        ("product", r"\bproducts?\b|\bskus?\b|\bitems?\b|产品|商品|单品|货品"),
        ("industry", r"\bindustr(?:y|ies)\b|\bsectors?\b|\bverticals?\b|行业|领域"),
    )
)
_TOP = re.compile(
    r"\b(?:top|best|biggest|largest|highest|leading|most)\s*" + r"(\d{1,2}|[a-z]+)?\b"
    r"|(?:最高|最多|最大|最好|最强|最畅销)\s*的?\s*([0-9"
    + calendar_words().zh_numeral_chars
    + r"]{1,3})?\s*(?:个|名|家|位|款)?"
    r"|(?:排名|销量|销售额)?前\s*([0-9"
    + calendar_words().zh_numeral_chars
    + r"]{1,3})\s*(?:个|名|家|位|款)?",
    re.I,
)
_BOTTOM = re.compile(
    r"\b(?:bottom|worst|lowest|smallest|least|fewest|weakest)\s*(\d{1,2}|[a-z]+)?\b"
    r"|(?:最低|最少|最小|最差|倒数|后)\s*的?\s*([0-9"
    + calendar_words().zh_numeral_chars
    + r"]{1,3})?\s*(?:个|名|家|位|款)?",
    re.I,
)
_COUNT_AFTER = re.compile(
    r"(?:最高|最多|最大|最低|最少|最差)的\s*([0-9"
    + calendar_words().zh_numeral_chars
    + r"]{1,3})\s*(?:个|名|家|位|款)"
)
_WHICH = re.compile(
    r"\bwhich\b|\bwho\b|\bwhat\s+(?:customers?|suppliers?|categor|products?|industr)|哪", re.I
)
_FELL = re.compile(
    r"\b(?:fell|fall(?:en|ing)?|drop(?:ped|s)?|declin(?:ed|e|ing)|decreas(?:ed|e)|shr[ua]nk|slump(?:ed)?|down\s+most)\b"
    r"|下降|下滑|下跌|跌幅|减少|降幅|萎缩",
    re.I,
)
_GREW = re.compile(
    r"\b(?:grew|grow(?:n|ing|th)?|rose|ris(?:en|ing)|increas(?:ed|e)|up\s+most|jump(?:ed)?)\b|增长|上升|增幅|涨幅|提升",
    re.I,
)
_YEAR_BEFORE = re.compile(
    r"(?:compared?\s+(?:it\s+)?(?:with|to)\s+|\bvs\.?\s+|\bversus\s+|\bagainst\s+)?(?:the\s+)?same\s+(?:month|week|quarter|period|days?|time)\s+(?:of\s+|in\s+)?(?:last|the\s+previous|a)\s+year(?:\s+before)?"
    r"|(?:compared?\s+(?:with|to)\s+|\bvs\.?\s+|\bversus\s+)(?:a\s+year\s+(?:earlier|ago|before)|last\s+year)"
    r"|\byear[\s-]+(?:over|on)[\s-]+year\b|\byoy\b|a\s+year\s+(?:earlier|ago|before)"
    r"|同比|去年同期|与去年相比|和去年比|跟去年比|比去年|上年同期",
    re.I,
)
_PREVIOUS = re.compile(
    r"(?:compared?\s+(?:it\s+)?(?:with|to)\s+|\bvs\.?\s+|\bversus\s+|\bagainst\s+)(?:the\s+)?(?:previous|prior|last|preceding)\s+(?:week|month|quarter|year|period|\d+\s+days)"
    r"|(?:compared?\s+(?:with|to)\s+|\bvs\.?\s+|\bagainst\s+)(?:the\s+)?(?:period|month|week|quarter)\s+before"
    r"|\b(?:month|week|quarter)[\s-]+(?:over|on)[\s-]+(?:month|week|quarter)\b|\bmom\b|\bwow\b|\bqoq\b"
    r"|环比|比上个?(?:月|周|季度|期)|和上个?(?:月|周|季度|期)比|跟上个?(?:月|周|季度|期)比|与上个?(?:月|周|季度|期)相比|对比上个?(?:月|周|季度|期)|较上个?(?:月|周|季度|期)",
    re.I,
)
_COMPARE = re.compile(r"\bcompar|\bvs\.?\b|\bversus\b|\bchange[sd]?\b|对比|比较|相比|变化", re.I)
_QUIET = re.compile(
    r"(?:haven'?t|have\s+not|hasn'?t|has\s+not|didn'?t|did\s+not|not|no|stopped|without\s+an?)\s+(?:placed\s+)?(?:\w+\s+)?(?:ordered|ordering|orders?|bought|buying|purchased|purchases?)"
    r"|\bgone\s+quiet|\bwent\s+quiet|\bquiet\s+(?:customers?|accounts?|clients?)|\binactive\b|\bdormant\b|\blapsed\b|\bchurn"
    r"|没(?:有)?(?:再)?(?:下单|订货|下过单|采购|买|订单)|未(?:下单|订货|采购)|不活跃|沉睡|流失|休眠|很久没",
    re.I,
)
_QUIET_DAYS = re.compile(
    r"(\d{1,4}|[a-z]+)\s*\+?\s*(days?|weeks?|months?)"
    r"|([0-9" + calendar_words().zh_numeral_chars + r"]{1,4})\s*(天|日|周|个?星期|个?月)",
    re.I,
)
_DRAFT = re.compile(
    r"\b(?:draft|write|compose|prepare)\b.{0,40}\b(?:e-?mail|message|note|letter|reminder|follow[\s-]?up)"
    r"|\b(?:send|shoot)\b.{0,20}\b(?:e-?mail|reminder|follow[\s-]?up)\s+(?:to|for)\b"
    r"|(?:起草|写|拟)一?(?:封|条|段|个|份)?.{0,12}?(?:邮件|信函|信|消息|短信|提醒)",
    re.I,
)
# A summary, a report, a trend, a profile, an industry guess: the other sales intents' questions.
_SUMMARY = re.compile(
    r"\bsummary\b|\breport\b|\boverview\b|\bhow\s+(?:did\s+we\s+do|were\s+sales|are\s+sales)|汇总|报告|概况|总结|简报",
    re.I,
)
_INDUSTRY_GUESS = re.compile(
    r"\bclassify\b|\bindustry\s+(?:for|of)\b|\bwhat\s+(?:industry|sector)\b|什么行业|哪个行业|属于", re.I
)
_TREND = re.compile(r"\btrends?\b|\btrending\b|\bmarket\b|走势|趋势|行情|市场", re.I)


@dataclass(frozen=True, slots=True)
class SalesQuestion:
    """What a sales question asks, and which parts it left to defaults (a reply says them)."""

    kind: QuestionKind
    metric: str
    span: Found
    dimension: str | None = None
    filters: tuple[NamedThing, ...] = ()
    comparison: Literal["previous", "year_before"] | None = None
    rank: Literal["top", "bottom"] = "top"
    order_by: Literal["value", "change"] = "value"
    limit: int = DEFAULT_LIMIT
    metric_given: bool = True
    ranked: bool = False  # "top 5", "which ... most": the first row answers
    quiet_days: int = DEFAULT_QUIET_DAYS
    quiet_days_given: bool = False


def _count(match: re.Match[str] | None) -> int | None:
    if match is None:
        return None
    raw = next((g for g in match.groups() if g), None)
    number = small_number(raw) if raw else None
    return number if number and 0 < number <= MAX_LIMIT else None


def _metric(text: str) -> tuple[str | None, bool]:
    """The metric the text names, and whether it names it strongly (not just "sales")."""
    found = next((metric for metric, pattern in _METRICS if pattern.search(text)), None)
    if found is not None:
        return found, True
    return ("revenue", False) if _WEAK_REVENUE.search(text) else (None, False)


def _dimension(text: str, filters: tuple[NameMatch, ...]) -> str | None:
    """The dimension the text ranks or breaks down by: its word, unless only a named filter's own word
    ("customer Globex" filters on Globex, it is no breakdown by customer)."""
    spans = [(f.start, f.end) for f in filters]
    for dimension, pattern in _DIMENSIONS:
        for m in pattern.finditer(text):
            if dimension == "product" and re.search(r"\bproduct\s+lines?\b", text, re.I):
                continue
            if any(f.start <= m.start() and m.end() <= f.end for f in filters):
                continue  # a word of a name: "Globex Industries"
            near = any(abs(m.start() - e) <= 1 or abs(s - m.end()) <= 1 for s, e in spans)
            named_here = any(f.thing.dimension == dimension for f in filters) and near
            if not named_here:
                return dimension
    return None


def _quiet_days(text: str) -> int | None:
    m = _QUIET_DAYS.search(text)
    if m is None:
        return None
    raw, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    n = small_number(raw)
    if not n:
        return None
    unit = unit.lower()
    if unit.startswith(("week", "周", "星期", "个星期")):
        return n * 7
    if unit.startswith(("month", "月", "个月")):
        return n * 30
    return n


def parse_sales_question(text: str, today: date, vocabulary: SalesVocabulary) -> SalesQuestion | None:
    """The question as a query, a quiet-customer list or a draft request; None when it is none of them
    (a summary, a trend, a profile, an industry guess, or no data question at all)."""
    found_names = find_names(text, vocabulary)
    filters = tuple(f.thing for f in found_names)
    if _DRAFT.search(text):
        metric, _strong = _metric(text)
        return SalesQuestion("draft", metric or "late_orders", span_in(text, today), filters=filters)
    if _QUIET.search(text) and (
        re.search(r"customer|client|account|客户|买家|谁|who", text, re.I) or _quiet_days(text)
    ):
        days = _quiet_days(text)
        return SalesQuestion(
            "quiet",
            "orders",
            span_in("", today),
            quiet_days=days or DEFAULT_QUIET_DAYS,
            quiet_days_given=days is not None,
        )
    comparison: Literal["previous", "year_before"] | None = None
    rest = text
    if (m := _YEAR_BEFORE.search(rest)) is not None:
        comparison, rest = "year_before", rest[: m.start()] + " " + rest[m.end() :]
    elif (m := _PREVIOUS.search(rest)) is not None:
        comparison, rest = "previous", rest[: m.start()] + " " + rest[m.end() :]
    elif _COMPARE.search(rest):
        comparison = "previous"
    span = span_in(rest, today)
    metric, strong = _metric(text)
    dimension = _dimension(text, found_names)
    fell, grew = _FELL.search(text) is not None, _GREW.search(text) is not None
    bottom, top = _BOTTOM.search(text), _TOP.search(text)
    ranked = bool(bottom or top or (dimension and _WHICH.search(text)) or ((fell or grew) and dimension))
    limit = _count(_COUNT_AFTER.search(text)) or _count(bottom) or _count(top)
    plain = dimension is None and not filters and not ranked and comparison is None
    if plain and (not strong or span.default):
        return None  # "how were sales", "revenue?": the summary's question, or none
    if _TREND.search(text) and not (ranked or comparison):
        return None  # the market trends' question
    if _SUMMARY.search(text) and not (dimension or ranked or comparison or filters):
        return None
    if metric is None:
        if dimension is None or not (top or bottom or fell or grew):
            return None  # names a customer, no figure: a profile ("tell me about Globex")
        metric = "revenue"
    if not strong and not (
        dimension or ranked or comparison or any(f.dimension != "customer" for f in filters)
    ):
        return None
    if _INDUSTRY_GUESS.search(text) and not strong and not (ranked or comparison):
        return None  # "industry for a startup selling software", "classify: ...": customer_industry's
    if metric_only_profile(metric, strong, dimension, ranked, comparison, filters, span):
        return None
    order_by: Literal["value", "change"] = "change" if (fell or grew) and (dimension or ranked) else "value"
    if order_by == "change" and comparison is None:
        comparison = "previous"
    rank: Literal["top", "bottom"] = (
        "bottom" if (bottom and not top) or (order_by == "change" and fell) else "top"
    )
    if dimension is None and ranked and filters:
        dimension = None  # "Globex's best month": no breakdown the layer has
    return SalesQuestion(
        "query",
        metric,
        span,
        dimension=dimension,
        filters=filters,
        comparison=comparison,
        rank=rank,
        order_by=order_by,
        limit=limit or DEFAULT_LIMIT,
        metric_given=strong,
        ranked=ranked and dimension is not None,
    )


def metric_only_profile(
    metric: str,
    strong: bool,
    dimension: str | None,
    ranked: bool,
    comparison: str | None,
    filters: tuple[NamedThing, ...],
    span: Found,
) -> bool:
    """One customer's open orders with no period ("open orders for ACME?") is their profile's answer."""
    only_customer = bool(filters) and all(f.dimension == "customer" for f in filters)
    return (
        only_customer
        and not (dimension or ranked or comparison)
        and span.default
        and metric
        in (
            "open_orders",
            "orders",
            "complaints",
        )
    )

from __future__ import annotations

import pytest

from nlu.sentiment import SentimentAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> SentimentAnalyzer:
    return SentimentAnalyzer()


@pytest.mark.parametrize(
    "text",
    [
        "this is unacceptable, you still haven't paid us",
        "why did you deduct $500 from my invoice?? that's wrong",
        "payment is 45 days late again",
        "nobody answers my emails",
        "I'm fed up with chasing payments every month",
        "太过分了，货款到现在还没付",
        "你们的服务太差了",
        "等了三个星期都没人回复",
        "扣款理由完全不合理，我很不满意",
    ],
)
def test_complaints_are_negative(analyzer: SentimentAnalyzer, text: str) -> None:
    assert analyzer.analyze(text).label == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "thanks a lot",
        "great, thank you!",
        "much appreciated, the payment arrived",
        "谢谢你",
        "钱已经收到了，谢谢",
        "非常感谢你的帮助",
    ],
)
def test_thanks_are_positive(analyzer: SentimentAnalyzer, text: str) -> None:
    assert analyzer.analyze(text).label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "where is my PO 4471",
        "stock for AB-1020 is now 450",
        "can I talk to a human",
        "发票2231付款了吗",
        "查一下库存",
        "订单4471到哪了",
    ],
)
def test_questions_are_neutral(analyzer: SentimentAnalyzer, text: str) -> None:
    assert analyzer.analyze(text).label == "neutral"

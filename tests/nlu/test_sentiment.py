from __future__ import annotations

import sys
import types

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


@pytest.mark.parametrize(
    "text",
    [
        "😀😂👍🙏🔥🎉😡😭" * 512,  # Telegram's 4,096 characters
        "PO-100001, " * 3637,  # Slack's 40,000
        "太过分了，货款到现在还没付" * 3077,
        "unacceptable! " * 3000,
    ],
)
def test_long_messages_are_read_from_their_head(analyzer: SentimentAnalyzer, text: str) -> None:
    head = analyzer.analyze(text[:100])
    assert analyzer.analyze(text).label == head.label


def test_the_head_is_measured_as_vader_reads_it() -> None:
    analyzer = SentimentAnalyzer(max_chars=40)
    assert analyzer.analyze("😭" * 4096 + " thanks a lot").label == "negative"  # "loudly crying face" x 2
    assert analyzer.analyze("thanks a lot" + " " * 50 + "this is unacceptable").label == "positive"


def test_ids_with_unicode_dashes_are_masked(analyzer: SentimentAnalyzer) -> None:
    assert analyzer.analyze("where is PO\u20111001").label == "neutral"
    assert analyzer.analyze("ＰＯ－１００１到哪了").label == "neutral"


def test_full_width_cues(analyzer: SentimentAnalyzer) -> None:
    assert analyzer.analyze("到底怎么回事！！").label == "negative"
    assert analyzer.analyze("到底怎么回事!!").label == "negative"


def test_snownlp_reads_a_short_head(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []

    class FakeSnowNLP:  # the real one costs ~0.6 ms per Han character, quadratic in a run of them
        def __init__(self, text: str) -> None:
            read.append(text)
            self.sentiments = 0.5

    monkeypatch.setitem(sys.modules, "snownlp", types.SimpleNamespace(SnowNLP=FakeSnowNLP))
    analyzer = SentimentAnalyzer(use_snownlp=True, snownlp_max_chars=16)
    assert analyzer.analyze("的" * 40_000, "zh").label == "neutral"
    assert read == ["的" * 16]


def test_controls_do_not_break_it(analyzer: SentimentAnalyzer) -> None:
    assert analyzer.analyze("\x00thanks\x00 a lot\ud800").label == "positive"

"""Any text a platform payload can carry parses: any Unicode, controls, lone surrogates, maximum sizes."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.encoder import SyncEncoder
from nlu.entities import EntityExtractor
from nlu.language import detect_language
from nlu.limits import DEFAULT_LIMITS
from nlu.normalize import cut_width, fold
from nlu.parser import NluParser, load_parser
from nlu.sentiment import SentimentAnalyzer
from nlu.types import KnownName

# Text comes from JSON-decoded payloads: any code point, lone surrogates included ("\ud800" is valid JSON).
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=80)
# Mixed with the characters the extractor looks for, so that the rules fire.
RULE_TEXT = st.text(
    st.one_of(st.sampled_from(list("PO-#$¥元件INVab12 0１－ＰＯ订单发票\u2011\u3000\x00")), st.characters()),
    max_size=80,
)
QUICK = settings(derandomize=True, database=None, deadline=None, max_examples=200)


class Names:
    def known_names(self) -> list[KnownName]:
        return [KnownName("customer", "cust-acme", "ACME Corp"), KnownName("supplier", "sup-hd", "宏达贸易")]


EXTRACTOR = EntityExtractor(name_lookup=Names(), clock=lambda: dt.date(2026, 3, 4))
SENTIMENT = SentimentAnalyzer()


@QUICK
@given(st.one_of(ANY_TEXT, RULE_TEXT))
def test_extraction_sentiment_and_language_never_raise(text: str) -> None:
    for entity in EXTRACTOR.extract(text):
        assert 0 <= entity.start <= entity.end <= len(text)
        assert text[entity.start : entity.end] == entity.text
    assert SENTIMENT.analyze(text).label in ("negative", "neutral", "positive")
    assert detect_language(text) in ("en", "zh")
    encoder_input = fold(cut_width(text, DEFAULT_LIMITS.encoder_max_width))
    encoder_input.encode("utf-8")  # what the tokenizer needs: no lone surrogate left


@pytest.fixture
async def parser(trained_model_dir: Path, real_encoder: SyncEncoder) -> AsyncIterator[NluParser]:
    p = load_parser(trained_model_dir, encoder=real_encoder, clock=lambda: dt.date(2026, 3, 4))
    yield p
    await p.aclose()


@pytest.mark.slow
def test_one_bad_or_huge_message_does_not_break_the_batch(parser: NluParser) -> None:
    texts = [
        "hello",
        "where is PO-1001\ud800?",  # a lone surrogate: the tokenizer alone would reject the whole batch
        "\x00\x00",
        "😀😂👍🙏" * 1024,
        "status please: " + ", ".join(f"PO-{n}" for n in range(100_001, 105_000)),
        "太过分了，货款到现在还没付。" * 2900,
        "where is ＰＯ－１００１?",
    ]
    results = parser.parse_batch_sync(texts)
    assert [r.text for r in results] == texts
    assert results[0].intent == "greeting"
    assert results[1].entity("order_id") is not None
    assert len(results[4].entities) == DEFAULT_LIMITS.max_entities
    assert results[5].language == "zh" and results[5].sentiment == "negative"
    assert results[6].intent == results[1].intent == "order_status"

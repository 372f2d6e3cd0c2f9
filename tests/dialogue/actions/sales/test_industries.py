"""The industry labels and the classifier, with lexical vectors and with the real encoder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from dialogue.actions.sales.industries import IndustryClassifier, LabelIndex, label_scores, load_industries
from dialogue.embedding import HashingEmbedder, Vectors
from tests.dialogue.conftest import AsyncEncoder


def test_industry_labels_have_examples_in_both_languages() -> None:
    labels = load_industries()
    assert {"retail", "manufacturing", "technology", "healthcare", "logistics", "hospitality",
            "food_and_beverage", "transportation", "wholesale", "construction", "education",
            "finance"} <= {label.key for label in labels}  # fmt: skip
    for label in labels:
        assert len(label.examples) >= 5 and label.names["zh"]
        assert any("\u4e00" <= ch <= "\u9fff" for ex in label.examples for ch in ex)


async def test_industry_classifier_with_the_demo_descriptions() -> None:
    clf = IndustryClassifier(load_industries(), HashingEmbedder())
    acme = await clf.classify(
        [("Nationwide retail chain of home and lifestyle stores with an online shop.", 1)]
    )
    globex = await clf.classify([("Manufacturer of industrial equipment and machine components.", 1)])
    assert acme.label.key == "retail" and globex.label.key == "manufacturing"
    assert acme.ranking[0][0] == "retail" and 0 < acme.confidence <= 1


@pytest.mark.slow
async def test_real_encoder_industries(minilm: AsyncEncoder) -> None:
    clf = IndustryClassifier(load_industries(), minilm)
    acme = await clf.classify(
        [("Nationwide retail chain of home and lifestyle stores with an online shop.", 1)]
    )
    globex = await clf.classify([("Manufacturer of industrial equipment and machine components.", 1)])
    software = await clf.classify([("they do software development and IT services", 1)])
    assert (acme.label.key, globex.label.key, software.label.key) == ("retail", "manufacturing", "technology")
    assert acme.confidence > 0.3 and globex.confidence > 0.3


async def test_ranking_is_the_top_three_of_calibrated_probabilities() -> None:
    clf = IndustryClassifier(load_industries(), HashingEmbedder())
    guess = await clf.classify([("Hotel group with restaurants and conference venues.", 1)])
    assert len(guess.ranking) == 3 and guess.ranking[0][0] == guess.label.key
    assert sum(p for _, p in guess.ranking) <= 1.0 + 1e-6
    assert [p for _, p in guess.ranking] == sorted((p for _, p in guess.ranking), reverse=True)
    assert guess.nearest and all(example in guess.label.examples for example in guess.nearest)
    assert 0.01 < await clf.temperature() < 1.0  # fitted on the labelled examples (leave-one-out)


@pytest.mark.slow
async def test_the_multilingual_encoder_reads_chinese_descriptions(multilingual: AsyncEncoder) -> None:
    clf = IndustryClassifier(load_industries(), multilingual)
    guess = await clf.classify([("该公司主要从事软件开发和IT服务。", 1)])
    assert guess.label.key == "technology" and guess.confidence > 0.5
    hospital = await clf.classify([("一家生产医用口罩并运营三家私立医院", 1)])
    assert hospital.label.key == "healthcare"


class CountingEmbedder:
    """The lexical embedder, counting the texts it encodes."""

    def __init__(self) -> None:
        self.inner = HashingEmbedder()
        self.encoded: list[str] = []

    async def encode(self, texts: Sequence[str]) -> Vectors:
        self.encoded.extend(texts)
        return await self.inner.encode(texts)


async def test_a_description_is_encoded_once_however_often_it_is_asked_about() -> None:
    embedder = CountingEmbedder()
    clf = IndustryClassifier(load_industries(), embedder)
    await clf.temperature()  # the start-up warm-up: the examples and the index
    text = "Runs a chain of neighbourhood convenience stores"
    embedder.encoded.clear()
    first = await clf.classify([(text, 1.0)])
    second = await clf.classify([(text, 1.0)])
    assert embedder.encoded == [text] and first == second and first.label.key == "retail"


def test_the_label_index_scores_as_label_scores_does() -> None:
    rng = np.random.default_rng(3)
    examples = rng.normal(size=(30, 8)).astype(np.float32)
    examples /= np.linalg.norm(examples, axis=1, keepdims=True)
    owner = np.asarray([0] * 12 + [1] * 17 + [3], dtype=np.int64)  # label 2 has none, label 3 one
    index = LabelIndex(examples, owner, 4)
    for _ in range(5):
        query = rng.normal(size=8).astype(np.float32)
        query /= np.linalg.norm(query)
        assert np.allclose(index.scores(query), label_scores(examples, owner, 4, query), atol=1e-5)

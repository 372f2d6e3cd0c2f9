"""The action table, the embedding helpers and the knowledge base in isolation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dialogue.actions.knowledge import FaqEntry, KnowledgeBase, load_faq
from dialogue.actions.registry import default_actions
from dialogue.actions.sales import IndustryClassifier, attributes_from_text, load_industries
from dialogue.embedding import HashingEmbedder
from nlu.types import INTENTS


def test_every_intent_and_form_is_registered() -> None:
    table = default_actions(embedder=None)
    assert set(INTENTS) <= set(table.intents)
    assert {"out_of_scope", "link_account"} <= set(table.intents)
    assert set(table.forms) == {"offer_human", "order_status", "inventory_update", "customer_name",
                                "product_description"}  # fmt: skip


def test_knowledge_files_cover_the_required_topics_in_both_languages() -> None:
    entries = load_faq()
    for lang in ("en", "zh"):
        ids = {e.id for e in entries if e.language == lang}
        assert len(ids) >= 25
        assert {"payment_terms", "returns_policy", "labelling", "late_delivery_penalty", "moq",
                "registration_documents", "verification_time"} <= ids  # fmt: skip
    assert {e.id for e in entries if e.language == "en"} == {e.id for e in entries if e.language == "zh"}


def test_industry_labels_have_examples_in_both_languages() -> None:
    labels = load_industries()
    assert {"retail", "manufacturing", "technology", "healthcare", "logistics", "hospitality",
            "food_and_beverage", "transportation", "wholesale", "construction", "education",
            "finance"} <= {label.key for label in labels}  # fmt: skip
    for label in labels:
        assert len(label.examples) >= 5 and label.names["zh"]
        assert any("\u4e00" <= ch <= "\u9fff" for ex in label.examples for ch in ex)


async def test_hashing_embedder_is_normalized_and_deterministic() -> None:
    emb = HashingEmbedder()
    a = await emb.encode(["Organic cotton towel", "纯棉毛巾", ""])
    assert a.shape == (3, emb.dimension) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a[:2], axis=1), 1.0)
    assert np.array_equal(a, await emb.encode(["Organic cotton towel", "纯棉毛巾", ""]))


async def test_faq_embeddings_are_computed_once() -> None:
    class Counting:
        calls = 0

        def __init__(self) -> None:
            self._inner = HashingEmbedder()

        async def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
            Counting.calls += 1
            return self._inner.encode_sync(texts)

    kb = KnowledgeBase(load_faq(), Counting(), threshold=0.3, lexical_weight={"en": 0.5, "zh": 0.5})
    for _ in range(3):
        await kb.answer("what are your payment terms", "en")
    assert Counting.calls == 1 + 3  # the index once, then one call per query


async def test_retrieval_falls_back_to_the_other_language() -> None:
    entries = [FaqEntry("oeko", "en", "policy", ("Do textiles need OEKO-TEX certificates?",),
                        "Yes, OEKO-TEX Standard 100 or an equivalent test report.")]  # fmt: skip
    kb = KnowledgeBase(entries, HashingEmbedder(), threshold=0.3)
    hit = await kb.answer("OEKO-TEX certificates 需要吗", "zh")
    assert hit is not None and hit.entry.id == "oeko" and hit.matched_language == "en"
    assert await kb.answer("完全无关的问题", "zh") is None


async def test_industry_classifier_with_the_demo_descriptions() -> None:
    clf = IndustryClassifier(load_industries(), HashingEmbedder())
    acme = await clf.classify(
        [("Nationwide retail chain of home and lifestyle stores with an online shop.", 1)]
    )
    globex = await clf.classify([("Manufacturer of industrial equipment and machine components.", 1)])
    assert acme.label.key == "retail" and globex.label.key == "manufacturing"
    assert acme.ranking[0][0] == "retail" and 0 < acme.confidence <= 1


def test_attributes_from_text() -> None:
    request = (
        "please write a product description for our oak wood cutting board, 40x25 cm, oiled, juice groove"
    )
    assert attributes_from_text(request) == {
        "name": "Oak Wood Cutting Board",
        "category": "kitchenware",
        "material": "oak wood",
        "size": "40x25 cm",
        "features": "oiled, juice groove",
    }
    assert attributes_from_text("write a product description") == {}

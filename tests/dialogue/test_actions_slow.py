"""Retrieval and industry classification with the real bundled MiniLM encoder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from dialogue.actions.knowledge import KnowledgeBase, load_faq
from dialogue.actions.sales import IndustryClassifier, load_industries

pytestmark = pytest.mark.slow


class _AsyncEncoder:
    def __init__(self) -> None:
        from nlu.encoder import load_encoder

        self._encoder = load_encoder("")

    async def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encoder.encode(texts)


@pytest.fixture(scope="module")
def minilm() -> _AsyncEncoder:
    return _AsyncEncoder()


async def test_real_encoder_faq_and_industries(minilm: _AsyncEncoder) -> None:
    kb = KnowledgeBase(load_faq(), minilm, threshold=0.40)
    cases = [
        ("en", "how many days until you pay my invoice?", "payment_terms"),
        ("en", "can I send back faulty goods?", "returns_policy"),
        ("en", "is there a fine when we ship late?", "late_delivery_penalty"),
        ("en", "what paperwork do you need to onboard my company?", "registration_documents"),
        ("en", "how long until my account is verified?", "verification_time"),
        ("zh", "退货政策是什么？", "returns_policy"),
        ("zh", "外箱标签有什么要求？", "labelling"),
        ("zh", "延迟交货会罚款吗？", "late_delivery_penalty"),
        ("zh", "注册要准备什么文件？", "registration_documents"),
        ("zh", "审核需要多长时间？", "verification_time"),
    ]
    for language, question, expected in cases:
        hit = await kb.answer(question, language)
        assert hit is not None, question
        assert hit.entry.id == expected, (question, hit.entry.id, hit.score)
        assert hit.entry.language == language
    for language, question in (("en", "what's the weather in Shanghai tomorrow?"), ("zh", "讲个笑话吧")):
        assert await kb.answer(question, language) is None, question

    clf = IndustryClassifier(load_industries(), minilm)
    acme = await clf.classify(
        [("Nationwide retail chain of home and lifestyle stores with an online shop.", 1)]
    )
    globex = await clf.classify([("Manufacturer of industrial equipment and machine components.", 1)])
    software = await clf.classify([("they do software development and IT services", 1)])
    assert (acme.label.key, globex.label.key, software.label.key) == ("retail", "manufacturing", "technology")
    assert acme.confidence > 0.3 and globex.confidence > 0.3

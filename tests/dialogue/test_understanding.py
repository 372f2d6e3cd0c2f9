"""Clarifying questions read as sentences: every pair of options, in both languages, through the real
templates (the renderer's fallback and every reply variant the reply model learns)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from dialogue.handbook import load_faq
from dialogue.nlg.corpus import load_corpus
from dialogue.nlg.lexicalize import Lexicalizer
from dialogue.nlg.renderer import build_renderer
from dialogue.understanding import INTENT_OFFERS, Option, entry_option, intent_option
from nlu.types import INTENTS

DATA_DIR = Path(__file__).resolve().parents[2] / "dialogue" / "data"
# What an English option starts with: a verb, as "do you want to ..." needs.
EN_VERBS = {"check", "update", "ask", "make", "talk", "just", "end", "see", "look", "get", "find"}
# What a Chinese option starts with: a verb that reads after 是想 / 还是.
ZH_VERBS = ("查询", "更新", "了解", "提出", "联系", "打个", "结束", "表示", "看看", "生成", "获取", "查看")


def options(language: str) -> list[Option]:
    entries = [e for e in load_faq() if e.language == language]
    return [intent_option(i, language) for i in INTENTS] + [entry_option(e, language) for e in entries]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_intent_and_entry_has_a_natural_offer(language: str) -> None:
    assert set(INTENT_OFFERS) == set(INTENTS)
    assert all(e.offer for e in load_faq())  # every knowledge entry has one, in both files
    for option in options(language):
        assert "_" not in option.phrase and "/" not in option.phrase, option
        assert option.label[:1] == option.label[:1].upper() and option.label
        if language == "en":
            assert option.phrase.split()[0] in EN_VERBS, option
        else:
            assert option.phrase.startswith(ZH_VERBS), option


def assert_reads_as_a_sentence(text: str, a: Option, b: Option, language: str) -> None:
    assert a.phrase in text and b.phrase in text, text
    assert "_" not in text and "/" not in text and "[" not in text, text
    if language == "en":
        assert not re.search(r"\bto [A-Z]", text), text  # "want to Supplier onboarding"
        assert text[0].isupper() and text.endswith("?"), text
    else:
        assert text.endswith("？") and "还是" in text, text


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_every_pair_of_options_renders_as_a_sentence(language: str) -> None:
    renderer = build_renderer(data_dir=DATA_DIR, model=None)
    corpus = load_corpus(DATA_DIR)
    lexicalizer = Lexicalizer(corpus.catalog, corpus.products)
    variants = corpus.variants[("clarify", language)]
    assert len(variants) >= 4
    pairs = [(a, b) for a, b in itertools.permutations(options(language), 2) if a.value != b.value]
    assert len(pairs) > 2000
    for a, b in pairs:
        facts = {"option_a": a.phrase, "option_b": b.phrase}
        rendered = await renderer.render("clarify", facts, language=language, user_text="")
        assert_reads_as_a_sentence(rendered.text, a, b, language)
        for template in variants:
            assert_reads_as_a_sentence(lexicalizer.fill(template, facts, language), a, b, language)


def test_the_payment_question_as_a_user_sees_it() -> None:
    terms = next(e for e in load_faq() if e.id == "payment_terms" and e.language == "en")
    a, b = intent_option("payment_status", "en"), entry_option(terms, "en")
    assert (a.phrase, b.phrase) == ("check an invoice's payment", "ask about our payment terms")
    assert (a.label, b.label, a.value, b.value) == (
        "Check an invoice's payment",
        "Our payment terms",
        "intent:payment_status",
        "faq:payment_terms",
    )
    assert intent_option("payment_status", "zh").phrase == "查询发票付款情况"

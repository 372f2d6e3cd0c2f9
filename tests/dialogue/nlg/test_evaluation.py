"""The held-out evaluation scores what the model says, before the fallback, and what is sent, after it."""

from __future__ import annotations

from dialogue.nlg.corpus import load_corpus, model_input, split_corpus
from dialogue.nlg.evaluation import evaluate_model
from tests.dialogue.nlg.conftest import DATA_DIR, FakeModel


def _references_model() -> FakeModel:
    """A model that says the first held-out reference of every evaluation input."""
    split = split_corpus(load_corpus(DATA_DIR, max_variants=16))
    return FakeModel({model_input(i.outcome, i.facts, i.language): i.references[0] for i in split.evaluation})


def test_a_model_that_says_the_references_passes_every_check() -> None:
    result = evaluate_model(_references_model(), DATA_DIR, latency_samples=4, concurrency=4, rounds=1)
    for lang in ("en", "zh"):
        assert result["slot_accuracy"][lang] == 1.0
        assert result["fallback_rate"][lang] == 0.0
        assert result["fallback_rate_unseen_combos"][lang] == 0.0
        assert result["hallucination_rate"][lang] == 0.0
        assert result["bleu"][lang] > 90
        assert result["items"][lang] > 50
        assert result["latency_ms_p50"][lang] > 0


def test_wrong_replies_are_counted_as_fallbacks_and_never_sent() -> None:
    # fluent, grounded in form, but the wrong outcome for every input
    model = FakeModel(default="Goodbye, and thank you for working with us.")
    result = evaluate_model(model, DATA_DIR, latency_samples=2, concurrency=2, rounds=1)
    items = split_corpus(load_corpus(DATA_DIR)).evaluation
    for lang in ("en", "zh"):
        own = [i for i in items if i.language == lang]
        without_facts = sum(not i.facts for i in own) / len(own)
        assert result["fallback_rate"][lang] > 0.9
        assert result["slot_accuracy"][lang] <= without_facts + 0.01  # right only where there are no facts
        assert result["hallucination_rate"][lang] == 0.0  # the templates that replace them state only facts
        assert result["composed_from_all_facts"][lang] == 0


def test_a_reply_composed_from_all_facts_is_counted_as_such() -> None:
    # without a name the model still says one (it never learnt otherwise); given one, it marks its clause
    greeting_en = model_input("greeting", (), "en")
    full_en = model_input("greeting", ("user_name",), "en")
    model = _references_model()
    model.replies[greeting_en] = "Hello [user_name]! How can I help you today?"
    model.replies[full_en] = "Hello{ [user_name]}! How can I help you today?"
    result = evaluate_model(model, DATA_DIR, latency_samples=2, concurrency=2, rounds=1)
    assert result["composed_from_all_facts"] == {"en": 1, "zh": 0}
    assert result["passed_on_retry"] == {"en": 1, "zh": 0}
    assert result["fallback_rate"]["en"] == 0.0 and result["slot_accuracy"]["en"] == 1.0

"""Training rows: marked targets and the clause transplants (compositional augmentation)."""

from __future__ import annotations

from dialogue.nlg.catalog import PLACEHOLDER_RE, realise
from dialogue.nlg.corpus import (
    HELD_OUT_COMBOS,
    Corpus,
    clause_bank,
    held_out,
    split_corpus,
    transplant_rows,
)


def test_training_targets_mark_the_clauses_of_optional_facts(corpus: Corpus) -> None:
    train = split_corpus(corpus).train
    greeting = [r for r in train if r.outcome == "greeting" and r.language == "en"]
    assert greeting and all(r.facts == ("user_name",) for r in greeting)  # no-name greeting is held out
    assert greeting[0].target == "Hello{ [user_name]}! How can I help you today?"


def test_transplants_add_only_foreign_facts_with_clauses_from_training_rows(corpus: Corpus) -> None:
    train = split_corpus(corpus).train
    extra = transplant_rows(corpus, train, share=1.0)
    assert len(extra) > len(train) // 3
    trained_text = "\n".join(realise(r.target, r.facts) for r in train)
    eta_clauses = {clause for _, clause in clause_bank(train)[("en", "eta")]}
    assert "Expected delivery: [eta]." in eta_clauses  # from order_shipped, a trained outcome
    for row in extra:
        own = set(corpus.catalog.get(row.outcome).facts)
        added = row.facts[-1]
        assert added not in own and set(row.facts[:-1]) <= own
        assert not held_out(row.outcome, row.facts)
        clause = row.target[row.target.rindex("{") + 1 : -1].strip()
        assert PLACEHOLDER_RE.findall(clause) == [added]
        assert clause in trained_text  # never a phrasing of a held-out combination
        # without the added fact the clause is dropped and the reply is the original one
        assert realise(row.target, row.facts[:-1]) == realise(row.target[: row.target.rindex("{")], row.facts)
    # the held-out ETA of a pending order is never made, with any clause
    assert not any(r.outcome == "order_pending" and "eta" in r.facts for r in extra)
    assert set(HELD_OUT_COMBOS) <= set(corpus.catalog.outcomes)


def test_transplants_repeat_for_a_seed(corpus: Corpus) -> None:
    train = split_corpus(corpus).train
    first = transplant_rows(corpus, train, share=0.5, seed=3)
    assert first == transplant_rows(corpus, train, share=0.5, seed=3)

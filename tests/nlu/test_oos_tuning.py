"""Out-of-scope tuning weighs the three signals by what they are worth on held-out data."""

from __future__ import annotations

import numpy as np

from nlu.out_of_scope import OosThresholds, oos_scores, thresholds_from_json, tune_thresholds
from nlu.types import OUT_OF_SCOPE

LABELS = ["a", "b", OUT_OF_SCOPE]


def _held_out(seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """p(oos) and the top probability are noise here; only the kNN similarity tells OOS apart."""
    rng = np.random.default_rng(seed)
    n_in, n_oos = 300, 100
    gold = [LABELS[i % 2] for i in range(n_in)] + [OUT_OF_SCOPE] * n_oos
    proba = np.zeros((n_in + n_oos, 3))
    for row, label in enumerate(gold):
        winner = LABELS.index(label) if label != OUT_OF_SCOPE else row % 2
        top, p_oos = rng.uniform(0.5, 0.8), rng.uniform(0.01, 0.2)
        proba[row, winner], proba[row, 2] = top, p_oos
        proba[row, 1 - winner] = 1.0 - top - p_oos
    similarity = np.concatenate([rng.normal(0.8, 0.04, n_in), rng.normal(0.55, 0.04, n_oos)])
    return proba, similarity, gold


def test_tuning_finds_the_informative_signal() -> None:
    proba, similarity, gold = _held_out()
    tuned, in_acc, oos_recall = tune_thresholds(proba, similarity, gold, LABELS, 1.0, 0.01)
    assert tuned.weights[1] > max(tuned.weights[0], tuned.weights[2])
    assert oos_recall >= 0.95 and in_acc >= 0.99
    equal = OosThresholds(tuned.min_score, tuned.center, tuned.scale, weights=(1.0, 1.0, 1.0))
    fresh_proba, fresh_similarity, fresh_gold = _held_out(seed=1)  # and it holds on new data
    is_oos = np.array([g == OUT_OF_SCOPE for g in fresh_gold])
    tuned_recall = (oos_scores(fresh_proba, fresh_similarity, LABELS, tuned) < tuned.min_score)[is_oos].mean()
    equal_recall = (oos_scores(fresh_proba, fresh_similarity, LABELS, equal) < equal.min_score)[is_oos].mean()
    assert tuned_recall > equal_recall and tuned_recall >= 0.95


def test_models_saved_before_weights_load_with_equal_weights() -> None:
    old = {"min_score": -1.0, "center": [0, 0, 0], "scale": [1, 1, 1], "min_confidence": 0.0}
    assert thresholds_from_json(old).weights == (1.0, 1.0, 1.0)


def test_direct_logreg_scores_equal_sklearn_predict_proba() -> None:
    from nlu.classifier import ClassifierArgs, IntentClassifier
    from nlu.intent_head import features, logreg_proba

    rng = np.random.default_rng(3)
    texts = [f"{word} order {i}" for i, word in enumerate(["where", "invoice", "stock", "hello"] * 15)]
    labels = [t.split()[0] for t in texts]
    embeddings = rng.normal(size=(len(texts), 16)).astype(np.float32)
    clf = IntentClassifier(args=ClassifierArgs(calibration_folds=0))
    clf.fit(texts, labels, embeddings=embeddings)
    head = clf._head
    assert head is not None
    expected = head.logreg.predict_proba(features(head, embeddings, texts, clf.args))
    assert np.allclose(logreg_proba(head, embeddings, texts, clf.args), expected, atol=1e-9)

"""The language model's metrics: `dialogue.llm.model.LlmObserver` on prometheus (bot.metrics)."""

from __future__ import annotations

from bot.metrics import Metrics


class MetricsObserver:
    """Counts calls, fallbacks, rejections and tokens on the app's metrics."""

    def __init__(self, metrics: Metrics) -> None:
        self._m = metrics

    def call(self, use: str, seconds: float, outcome: str) -> None:
        self._m.llm_seconds.labels(use, outcome).observe(seconds)

    def fallback(self, use: str, reason: str) -> None:
        self._m.llm_fallbacks.labels(use, reason).inc()

    def rejected(self, use: str, reason: str) -> None:
        self._m.llm_rejected.labels(use, reason).inc()

    def tokens(self, use: str, prompt: int, completion: int) -> None:
        if prompt:
            self._m.llm_tokens.labels(use, "in").inc(prompt)
        if completion:
            self._m.llm_tokens.labels(use, "out").inc(completion)

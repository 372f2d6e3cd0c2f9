"""Builds the configured language model (or none) for the composition root and the CLI."""

from __future__ import annotations

from bot.llm.local_model import LocalModel
from bot.llm.observer import MetricsObserver
from bot.llm.openai_model import OpenAIModel
from bot.llm.settings import LlmSettings
from bot.metrics import Metrics
from dialogue.llm.gate import ModelGate
from dialogue.llm.model import TextModel


def build_text_model(
    s: LlmSettings, *, api_key: str = "", observer: MetricsObserver | None = None
) -> TextModel | None:
    """The provider of `llm.provider`; None when it is off (then nothing ever calls a model).
    `api_key` is LLM_API_KEY, from the environment (bot.config.Secrets)."""
    tokens = observer.tokens if observer is not None else None
    if s.provider == "openai":
        return OpenAIModel(
            base_url=s.base_url,
            model=s.model,
            api_key=api_key,
            timeout_seconds=s.timeout_seconds,
            max_tokens=s.max_tokens,
            structured_output=s.structured_output,
            tokens=tokens,
        )
    if s.provider == "local":
        return LocalModel(s.model, max_tokens=s.max_tokens, tokens=tokens)
    return None


def build_llm(s: LlmSettings, *, api_key: str, metrics: Metrics) -> ModelGate | None:
    """The gate the dialogue calls, or None when the provider is off or no use is on."""
    if s.provider == "off" or not s.uses:
        return None
    observer = MetricsObserver(metrics)
    model = build_text_model(s, api_key=api_key, observer=observer)
    if model is None:
        return None
    return ModelGate(
        model, uses=s.uses, timeout_seconds=s.timeout_seconds, redact=s.redact, observer=observer
    )

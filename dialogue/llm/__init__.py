"""An optional language model, as the core sees it: a protocol, a gate (timeout, redaction, fallback)
and the checks that reject invented facts. Providers live in `bot/llm/`; nothing here imports an SDK."""

from dialogue.llm.gate import ModelGate
from dialogue.llm.model import ChatMessage, LlmBadOutput, LlmError, LlmObserver, LlmUnavailable, TextModel
from dialogue.llm.redact import redact

__all__ = [
    "ChatMessage",
    "LlmBadOutput",
    "LlmError",
    "LlmObserver",
    "LlmUnavailable",
    "ModelGate",
    "TextModel",
    "redact",
]

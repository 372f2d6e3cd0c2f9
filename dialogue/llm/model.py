"""What the core knows of a language model: messages, the `TextModel` protocol, typed errors, an observer.

No SDK is imported here. Providers live in `bot/llm/` (an OpenAI-compatible server through the `openai`
SDK, a local transformers model); the core calls them only through `dialogue.llm.gate.ModelGate`, which
adds the timeout, the redaction and the fallback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from nlu.errors import OpsbotError

Role = Literal["system", "user", "assistant"]

# Why a call gave nothing usable (the `reason` label of opsbot_llm_fallback_total).
TIMEOUT = "timeout"
CONNECTION = "connection"
RATE_LIMITED = "rate_limited"
SERVER_ERROR = "server_error"
CLIENT_ERROR = "client_error"
INVALID_JSON = "invalid_json"
SCHEMA = "schema"
EMPTY = "empty"
ERROR = "error"


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str


class LlmError(OpsbotError):
    """A model call that gave nothing usable; `reason` is one of the constants above."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class LlmUnavailable(LlmError):
    """The server did not answer usefully: timeout, connection error, 429, 5xx, another HTTP error."""


class LlmBadOutput(LlmError):
    """The model answered, but not with what was asked for (invalid JSON, wrong shape, nothing)."""


class TextModel(Protocol):
    """A provider. `use` names what the call is for (metrics, logs); errors are `LlmError`s."""

    @property
    def name(self) -> str: ...

    async def complete_json(
        self, use: str, messages: Sequence[ChatMessage], schema: Mapping[str, Any]
    ) -> dict[str, Any]:
        """One JSON object that fits `schema` (the provider's structured-output mode asks for it)."""
        ...

    async def complete_text(self, use: str, messages: Sequence[ChatMessage]) -> str:
        """The model's plain-text answer."""
        ...


class LlmObserver(Protocol):
    """Where calls are counted (bot.metrics implements it; the core never imports prometheus)."""

    def call(self, use: str, seconds: float, outcome: str) -> None: ...

    def fallback(self, use: str, reason: str) -> None: ...

    def rejected(self, use: str, reason: str) -> None: ...


class NullObserver:
    """Counts nothing (tests, CLI)."""

    def call(self, use: str, seconds: float, outcome: str) -> None:
        return None

    def fallback(self, use: str, reason: str) -> None:
        return None

    def rejected(self, use: str, reason: str) -> None:
        return None

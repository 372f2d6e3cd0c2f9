"""`opsbot llm check`: one call to the configured model, its latency, and whether structured output works."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.llm.build import build_text_model
from bot.llm.settings import LlmSettings
from dialogue.llm.model import TIMEOUT, ChatMessage, LlmError

T = TypeVar("T")
CHECK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"status": {"type": "string", "enum": ["ok"]}},
    "required": ["status"],
}
_ASK_JSON = [
    ChatMessage("system", "You are a health check. Answer with JSON only."),
    ChatMessage("user", 'Reply with exactly this JSON object: {"status": "ok"}'),
]
_ASK_TEXT = [ChatMessage("user", "Say hello in one short sentence.")]


@dataclass(frozen=True, slots=True)
class Probe:
    ok: bool
    seconds: float
    detail: str  # the answer (shortened) or why it failed


@dataclass(frozen=True, slots=True)
class CheckReport:
    model: str
    where: str
    mode: str
    structured: Probe
    text: Probe

    @property
    def ok(self) -> bool:
        return self.structured.ok or self.text.ok

    def lines(self) -> list[str]:
        def said(probe: Probe) -> str:
            verdict = "works" if probe.ok else "FAILED"
            return f"{verdict} in {probe.seconds:.2f} s ({probe.detail})"

        return [
            f"model: {self.model}{f' at {self.where}' if self.where else ''}",
            f"structured output ({self.mode}): {said(self.structured)}",
            f"plain text: {said(self.text)}",
        ]


async def _probe(call: Awaitable[T], limit: float) -> tuple[T | None, Probe]:
    started = time.perf_counter()
    try:
        value = await asyncio.wait_for(call, limit)
    except TimeoutError:
        return None, Probe(False, time.perf_counter() - started, f"{TIMEOUT}: no answer in {limit:g} s")
    except LlmError as exc:
        return None, Probe(False, time.perf_counter() - started, str(exc)[:200])
    return value, Probe(True, time.perf_counter() - started, repr(value)[:80])


async def check_model(s: LlmSettings, *, api_key: str = "") -> CheckReport | None:
    """Call the configured model once for JSON and once for text; None when the provider is off."""
    model = build_text_model(s, api_key=api_key)
    if model is None:
        return None
    try:
        _, structured = await _probe(model.complete_json("check", _ASK_JSON, CHECK_SCHEMA), s.timeout_seconds)
        _, text = await _probe(model.complete_text("check", _ASK_TEXT), s.timeout_seconds)
    finally:
        close = getattr(model, "aclose", None)
        if close is not None:
            await close()
    mode = s.structured_output if s.provider == "openai" else "asked in the prompt"
    return CheckReport(model.name, s.base_url if s.provider == "openai" else s.model, mode, structured, text)

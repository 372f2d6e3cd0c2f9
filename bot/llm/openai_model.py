"""`provider: openai`: any OpenAI-compatible chat server (vLLM, Ollama, llama.cpp, a hosted API) through
the `openai` SDK, with the structured-output mode the server understands."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam

from bot.llm.prompting import as_dicts, with_schema_instruction
from bot.llm.settings import StructuredOutput
from dialogue.llm.jsonout import checked_json
from dialogue.llm.model import (
    CLIENT_ERROR,
    CONNECTION,
    EMPTY,
    INVALID_JSON,
    RATE_LIMITED,
    SERVER_ERROR,
    TIMEOUT,
    ChatMessage,
    LlmBadOutput,
    LlmUnavailable,
)

TokenSink = Callable[[str, int, int], None]  # (use, prompt tokens, completion tokens)
NO_KEY = "not-needed"  # local servers take any key; the SDK insists on one


class OpenAIModel:
    """A `dialogue.llm.model.TextModel` on an OpenAI-compatible server. Errors are `LlmError`s."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout_seconds: float = 8.0,
        max_tokens: int = 512,
        structured_output: StructuredOutput = "json_schema",
        tokens: TokenSink | None = None,
        client: AsyncOpenAI | None = None,
    ) -> None:
        self._client = client or AsyncOpenAI(
            base_url=base_url, api_key=api_key or NO_KEY, timeout=timeout_seconds, max_retries=0
        )
        self._completions = self._client.chat.completions  # its modules load now, not on a first call
        self._model = model
        self._max_tokens = max_tokens
        self._mode = structured_output
        self._tokens = tokens

    @property
    def name(self) -> str:
        return f"openai:{self._model}"

    async def complete_json(
        self, use: str, messages: Sequence[ChatMessage], schema: Mapping[str, Any]
    ) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self._mode == "json_schema":
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": use or "answer", "schema": dict(schema), "strict": False},
            }
        elif self._mode == "vllm":
            extra["extra_body"] = {"structured_outputs": {"json": dict(schema)}}
        else:
            messages = with_schema_instruction(messages, schema)
        return checked_json(await self._create(use, messages, **extra), schema)

    async def complete_text(self, use: str, messages: Sequence[ChatMessage]) -> str:
        """The answer, streamed (so a server's first tokens arrive early) and joined."""
        parts: list[str] = []
        try:
            stream = await self._completions.create(
                model=self._model,
                messages=_wire(messages),
                max_tokens=self._max_tokens,
                stream=True,
                stream_options={"include_usage": True},
            )
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    parts.append(chunk.choices[0].delta.content)
                if chunk.usage is not None:
                    self._count(use, chunk.usage)
        except openai.OpenAIError as exc:
            raise _mapped(exc) from exc
        return "".join(parts)

    async def aclose(self) -> None:
        await self._client.close()

    async def _create(self, use: str, messages: Sequence[ChatMessage], **extra: Any) -> str:
        try:
            response = await self._completions.create(
                model=self._model,
                messages=_wire(messages),
                max_tokens=self._max_tokens,
                **extra,
            )
        except openai.OpenAIError as exc:
            raise _mapped(exc) from exc
        if response.usage is not None:
            self._count(use, response.usage)
        if not response.choices or not response.choices[0].message.content:
            raise LlmBadOutput(EMPTY, "no content in the answer")
        return str(response.choices[0].message.content)

    def _count(self, use: str, usage: Any) -> None:
        if self._tokens is not None:
            self._tokens(use, int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0))


def _wire(messages: Sequence[ChatMessage]) -> list[ChatCompletionMessageParam]:
    return cast("list[ChatCompletionMessageParam]", as_dicts(messages))


def _mapped(exc: openai.OpenAIError) -> LlmUnavailable | LlmBadOutput:
    """The SDK's error as opsbot's: why the call gave nothing (the fallback reason)."""
    if isinstance(exc, openai.APITimeoutError):
        return LlmUnavailable(TIMEOUT, str(exc))
    if isinstance(exc, openai.APIConnectionError):
        return LlmUnavailable(CONNECTION, str(exc))
    if isinstance(exc, openai.RateLimitError):
        return LlmUnavailable(RATE_LIMITED, "HTTP 429")
    if isinstance(exc, openai.APIStatusError):
        reason = SERVER_ERROR if exc.status_code >= 500 else CLIENT_ERROR
        return LlmUnavailable(reason, f"HTTP {exc.status_code}")
    return LlmBadOutput(INVALID_JSON, f"{type(exc).__name__}: {exc}")

"""The `llm:` section of config.yaml: an optional language model, off by default.

The API key is never read from here: it comes from the environment (`LLM_API_KEY`, see bot.config.Secrets).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import NoDecode

Provider = Literal["off", "openai", "local"]
StructuredOutput = Literal["json_schema", "vllm", "none"]
LlmUse = Literal["listing", "knowledge", "assist", "translate"]

_VERSIONED = re.compile(r"/v\d+[a-z0-9]*(?:/|$)")


def normalize_base_url(url: str) -> str:
    """An OpenAI-compatible base URL that ends at its API version: a missing `/v1` is added.

    `http://localhost:8000` and `http://localhost:8000/` become `http://localhost:8000/v1`; a URL whose
    path already names a version (`/v1`, `/api/v1`, `/openai/v1beta`) is kept, less a trailing slash.
    """
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    path = parts.path.rstrip("/")
    if not _VERSIONED.search(path + "/"):
        path += "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


class LlmSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Provider = Field(
        default="off",
        description="off (no model is ever called), openai (any OpenAI-compatible server) or local "
        "(a Hugging Face causal LM from a local path)",
    )
    base_url: str = Field(
        default="", description="openai: the server, e.g. http://localhost:8000/v1 (a missing /v1 is added)"
    )
    model: str = Field(default="", description="openai: the served model's name; local: the model's folder")
    timeout_seconds: float = Field(default=8.0, gt=0, le=120, description="past this, opsbot goes on without")
    max_tokens: int = Field(default=512, ge=16, le=8192, description="the most tokens one answer may take")
    structured_output: StructuredOutput = Field(
        default="json_schema",
        description="json_schema (OpenAI response_format), vllm (structured_outputs) or none (asked in "
        "the prompt)",
    )
    uses: Annotated[tuple[LlmUse, ...], NoDecode] = Field(
        default=(), description="any of listing, knowledge, assist, translate"
    )
    redact: bool = Field(
        default=True, description="mask e-mail addresses, phone numbers and bank accounts before a call"
    )

    @field_validator("provider", mode="before")
    @classmethod
    def _yaml_off(cls, value: Any) -> Any:
        """YAML reads a bare `off` as false."""
        return "off" if value is False else value

    @field_validator("base_url")
    @classmethod
    def _normalize(cls, value: str) -> str:
        return normalize_base_url(value)

    @field_validator("uses", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """`OPSBOT_LLM__USES=listing,knowledge` or `["listing"]`, as well as a YAML list."""
        if isinstance(value, str) and value.strip().startswith("["):
            return json.loads(value)
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("uses")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    @model_validator(mode="after")
    def _complete(self) -> LlmSettings:
        if self.provider == "openai" and not self.base_url:
            raise ValueError("base_url: provider openai needs the server's URL")
        if self.provider == "local" and not self.model:
            raise ValueError("model: provider local needs the model's folder")
        return self

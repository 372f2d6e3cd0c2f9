"""The `nlu:` settings, owned by this package; bot.config composes them into the application's config."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class NluSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    encoder: str = Field(default="", description="local sentence-transformers path; empty = bundled MiniLM")
    runtime: Literal["onnx", "torch"] = Field(
        default="onnx", description="run the encoder through ONNX Runtime (same embeddings, faster) or torch"
    )
    model_dir: Path = Path("var/models/nlu")
    data_dir: Path = Path("nlu/data")
    confidence_threshold: float = Field(default=0.0, ge=0, le=1, description="0 = use the tuned threshold")
    ambiguity_margin: float = Field(default=0.15, ge=0, le=1)
    batch_max_wait_ms: float = Field(default=4.0, ge=0)
    batch_max_size: int = Field(default=64, ge=1)
    fuzzy_name_threshold: float = Field(default=85.0, ge=0, le=100)

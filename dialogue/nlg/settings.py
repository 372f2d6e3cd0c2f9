"""The `nlg:` settings (the reply model), owned by this package; bot.config composes them."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from nlu.settings import SettingsSection


class NlgSettings(SettingsSection):
    model: str = Field(default="", description="local HF seq2seq checkpoint; empty = the trained model")
    model_dir: Path = Path("var/models/nlg")
    data_dir: Path = Path("dialogue/data")
    enabled: bool = True
    num_beams: int = Field(default=1, ge=1)
    max_new_tokens: int = Field(default=96, ge=8)
    min_token_prob: float = Field(
        default=0.1, ge=0, le=1, description="below this token probability the model abstains"
    )
    batch_max_wait_ms: float = Field(default=5.0, ge=0)
    batch_max_size: int = Field(default=32, ge=1)
    cache_size: int = Field(default=2048, ge=0)
    threads: int = Field(
        default=1,
        ge=0,
        description="torch threads of the running bot's reply model; 1 leaves the other cores to the event "
        "loop and the encoders (more messages per second on a small machine); 0 = torch's default",
    )
    train_steps: int = Field(
        default=2100, ge=1, description="optimizer steps of `opsbot train replies` (fixed, so runs repeat)"
    )
    train_minutes: float = Field(
        default=4.5, gt=0, description="time cap of `opsbot train replies`; a slow machine stops early"
    )
    train_threads: int = Field(default=2, ge=1, description="torch threads for training the reply model")

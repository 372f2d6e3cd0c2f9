"""How much of one message each NLU step reads: the caps that bound the cost of a long message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InputLimits:
    """Characters read per step; NluSettings documents each (the `nlu:` keys of the same names)."""

    entity_max_chars: int = 40_000
    entity_scan_chars: int = 2_000
    max_entities: int = 50
    language_max_chars: int = 2_000
    sentiment_max_chars: int = 300
    encoder_max_width: int = 128


DEFAULT_LIMITS = InputLimits()

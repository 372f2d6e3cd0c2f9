"""Every reply the model can be asked for, decoded once after start instead of on the first message.

The reply model's input is (outcome, the facts given, language, phrasing variant): never the user's
text or the facts' values (dialogue.nlg.renderer). The catalog names every such input: each outcome's
required facts with any subset of its optional ones, in each language, in each trained phrasing (787
with the shipped data). Under greedy decoding an input always gives the same reply, so the renderer
keeps each in its cache; this fills that cache in the background once the process is ready, a few
inputs at a time and only while no message is in hand, so that the messages arriving meanwhile are
decoded first, not after them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass

from dialogue.nlg.catalog import LANGUAGES, Catalog

log = logging.getLogger(__name__)

CHUNK = 8  # inputs decoded together: one batch of the reply model, then live messages get their turn


@dataclass(frozen=True, slots=True)
class ReplyInput:
    outcome: str
    facts: tuple[str, ...]
    language: str
    variant: int


def reply_inputs(catalog: Catalog, variant_counts: Mapping[tuple[str, str], int]) -> Iterator[ReplyInput]:
    """Every model input the renderer can build from `catalog`, each once (template-only outcomes never
    reach the model)."""
    seen: set[ReplyInput] = set()
    for name, spec in catalog.outcomes.items():
        if spec.template_only:
            continue
        for facts in spec.fact_combinations():
            for language in LANGUAGES:
                for variant in range(variant_counts.get((name, language), 1)):
                    key = ReplyInput(name, facts, language, variant)
                    if key not in seen:
                        seen.add(key)
                        yield key


async def prefill(
    inputs: list[ReplyInput],
    decode: Callable[[list[ReplyInput]], Awaitable[int]],
    *,
    chunk: int = CHUNK,
    quiet: Callable[[], Awaitable[None]] | None = None,
) -> int:
    """Decode `inputs` through `decode` (which caches and returns how many it decoded), `chunk` at a
    time, each chunk once `quiet` returns (no message in hand: the prefill takes the idle time, and a
    message that arrives waits for one chunk at most); returns the number decoded. A failure is logged
    and ends the prefill: the replies it did not reach are decoded on first use, as without it."""
    started, decoded = time.monotonic(), 0
    try:
        for start in range(0, len(inputs), chunk):
            if quiet is not None:
                await quiet()
            decoded += await decode(inputs[start : start + chunk])
    except Exception:
        log.exception(
            "decoding the replies in advance stopped after %d; the rest are decoded on first use", decoded
        )
        return decoded
    log.info("reply model: %d replies decoded in advance in %.1fs", decoded, time.monotonic() - started)
    return decoded

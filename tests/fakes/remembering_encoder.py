"""The real default encoder for tests, loaded once per test process, remembering all it encoded.

Many tests build the same indexes with the real encoders: the handbook's questions and answers, the
industries' descriptions. The encoders are deterministic, so a text encoded once in a test process is not
encoded again: each later test that builds those indexes pays nothing for them. Every text a test sends
for the first time still goes through the real model. The memory is the bot's own
(nlu.recent_encodings), without its bound.
"""

from __future__ import annotations

from functools import cache

from nlu.multilingual import RoutedEncoder
from nlu.recent_encodings import RecentEncodings, RememberingEncoder


@cache
def real_encoder() -> RoutedEncoder:
    """`nlu.encoder.load_encoder("")` (MiniLM for English, multilingual-e5-small for Chinese and retrieval),
    each half remembering everything it encoded; one per test process."""
    from nlu.encoder import load_encoder

    loaded = load_encoder("")
    assert isinstance(loaded, RoutedEncoder)
    return RoutedEncoder(
        RememberingEncoder(loaded.english, RecentEncodings(None)),
        RememberingEncoder(loaded.multilingual, RecentEncodings(None)),
        route=loaded.route,
        retrieval=RememberingEncoder(loaded.retrieval, RecentEncodings(None)),
    )

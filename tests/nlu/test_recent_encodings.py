"""A message is encoded once: the parse's vector answers the knowledge retrieval's request for it."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from nlu.encoder import load_encoder
from nlu.multilingual import E5Encoder, RoutedEncoder
from nlu.recent_encodings import RecentEncodings, RememberingEncoder, nfkc
from tests.nlu.conftest import CountingEncoder


def test_a_text_encoded_once_is_answered_from_memory() -> None:
    inner = CountingEncoder()
    encoder = RememberingEncoder(inner)
    first = encoder.encode(["where is PO-1001?", "thanks"])
    again = encoder.encode(["thanks", "where is PO-1001?"])
    assert inner.calls == [2]  # the second call encoded nothing
    assert np.array_equal(again, first[::-1])
    assert encoder.memory.hits == 2 and encoder.memory.misses == 2


def test_only_the_new_texts_of_a_batch_reach_the_model_and_each_once() -> None:
    inner = CountingEncoder()
    encoder = RememberingEncoder(inner)
    encoder.encode(["a b"])
    out = encoder.encode(["c d", "a b", "c d", "e"])
    assert inner.calls == [1, 2]  # "c d" and "e", not "a b" again, not "c d" twice
    assert np.array_equal(out, inner.encode(["c d", "a b", "c d", "e"]))


def test_the_memory_forgets_the_least_recently_used_text_first() -> None:
    inner = CountingEncoder()
    encoder = RememberingEncoder(inner, RecentEncodings(2))
    encoder.encode(["one"])
    encoder.encode(["two"])
    encoder.encode(["one"])  # used again: "two" is now the oldest
    encoder.encode(["three"])
    assert len(encoder.memory) == 2
    before = len(inner.calls)
    encoder.encode(["one"])
    assert len(inner.calls) == before  # kept
    encoder.encode(["two"])
    assert len(inner.calls) == before + 1  # forgotten, encoded again


def test_a_memory_must_hold_something() -> None:
    with pytest.raises(ValueError):
        RecentEncodings(0)


def test_two_engines_share_one_memory_across_threads() -> None:
    memory = RecentEncodings()
    first, second = CountingEncoder(), CountingEncoder()
    parse, retrieval = RememberingEncoder(first, memory), RememberingEncoder(second, memory)
    worker = threading.Thread(target=parse.encode, args=(["订单到哪了"],))
    worker.start()
    worker.join()
    retrieval.encode(["订单到哪了"])
    assert first.calls == [1] and second.calls == []


@pytest.mark.parametrize(
    "text",
    [
        "你们的付款条件是什么？（新供应商）",
        "ＡＢ－１０２０的库存改成４５０件",
        "①号仓库的货",
        "ﬁnal invoice ＩＮＶ－２２３１",
    ],
)
def test_e5_reads_nfkc_equal_texts_alike_so_one_entry_serves_both(text: str) -> None:
    e5 = E5Encoder()
    assert nfkc(text) != text
    assert np.array_equal(e5.encode([text]), e5.encode([nfkc(text)]))  # the key may fold: the engine does


def test_the_bot_encoder_encodes_a_message_once_for_the_parse_and_the_handbook() -> None:
    encoder = load_encoder("")
    assert isinstance(encoder, RoutedEncoder)
    assert isinstance(encoder.english, RememberingEncoder)
    english = encoder.english.memory
    encoder.encode(["what are your payment terms for new suppliers?", "你们的付款条件是什么?"])
    hits = english.hits
    encoder.english.encode(["what are your payment terms for new suppliers?"])  # the knowledge query
    assert english.hits == hits + 1
    assert isinstance(encoder.multilingual, RememberingEncoder)
    chinese = encoder.multilingual.memory
    hits = chinese.hits
    retrieval = encoder.retrieval.encode(["你们的付款条件是什么？"])  # raw text, full-width mark
    assert chinese.hits == hits + 1  # the retrieval engine shares the parse engine's memory
    bare = load_encoder("", remember=False)
    assert isinstance(bare, RoutedEncoder)
    assert float(np.abs(retrieval - bare.retrieval.encode(["你们的付款条件是什么？"])).max()) < 1e-5

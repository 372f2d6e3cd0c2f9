from __future__ import annotations

import asyncio

import numpy as np
import pytest

from nlu.encoder import BatchedEncoder
from tests.nlu.conftest import CountingEncoder


async def test_concurrent_calls_share_one_encoder_pass(counting_encoder: CountingEncoder) -> None:
    batched = BatchedEncoder(counting_encoder, max_wait_ms=50, max_size=64)
    texts = [f"message number {i}" for i in range(10)]
    results = await asyncio.gather(*(batched.encode([t]) for t in texts))
    await batched.aclose()
    assert counting_encoder.calls == [10]
    expected = counting_encoder.encode(texts)
    for i, row in enumerate(results):
        assert row.shape == (1, counting_encoder.dimension)
        np.testing.assert_allclose(row[0], expected[i])


async def test_batch_is_flushed_when_full(counting_encoder: CountingEncoder) -> None:
    batched = BatchedEncoder(counting_encoder, max_wait_ms=10_000, max_size=4)
    results = await asyncio.gather(*(batched.encode([f"t{i}"]) for i in range(8)))
    await batched.aclose()
    assert counting_encoder.calls == [4, 4]
    assert len(results) == 8


async def test_multi_text_calls_keep_their_rows(counting_encoder: CountingEncoder) -> None:
    batched = BatchedEncoder(counting_encoder, max_wait_ms=20, max_size=64)
    a, b = await asyncio.gather(batched.encode(["a b", "c"]), batched.encode(["d", "e f", "g"]))
    await batched.aclose()
    assert a.shape[0] == 2 and b.shape[0] == 3
    np.testing.assert_allclose(b, counting_encoder.encode(["d", "e f", "g"]))
    assert a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)


async def test_zero_wait_means_no_batching(counting_encoder: CountingEncoder) -> None:
    batched = BatchedEncoder(counting_encoder, max_wait_ms=0, max_size=64)
    await asyncio.gather(*(batched.encode([f"t{i}"]) for i in range(3)))
    await batched.aclose()
    assert counting_encoder.calls == [1, 1, 1]


async def test_encoder_errors_reach_every_caller(counting_encoder: CountingEncoder) -> None:
    class Boom(CountingEncoder):
        def encode(self, texts):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    batched = BatchedEncoder(Boom(), max_wait_ms=5)
    results = await asyncio.gather(batched.encode(["a"]), batched.encode(["b"]), return_exceptions=True)
    await batched.aclose()
    assert all(isinstance(r, RuntimeError) for r in results)


async def test_event_loop_stays_responsive(counting_encoder: CountingEncoder) -> None:
    import threading

    loop_thread = threading.get_ident()
    seen: list[int] = []

    class Recording(CountingEncoder):
        def encode(self, texts):  # type: ignore[no-untyped-def]
            seen.append(threading.get_ident())
            return super().encode(texts)

    batched = BatchedEncoder(Recording(), max_wait_ms=1)
    await batched.encode(["x"])
    await batched.aclose()
    assert seen and loop_thread not in seen


async def test_empty_input(counting_encoder: CountingEncoder) -> None:
    batched = BatchedEncoder(counting_encoder)
    out = await batched.encode([])
    assert out.shape == (0, counting_encoder.dimension)
    assert counting_encoder.calls == []


def test_rejects_bad_size(counting_encoder: CountingEncoder) -> None:
    from nlu.errors import NluError

    with pytest.raises(NluError):
        BatchedEncoder(counting_encoder, max_size=0)


async def test_callers_arriving_while_busy_form_the_next_batch() -> None:
    import time

    class Slow(CountingEncoder):
        def encode(self, texts):  # type: ignore[no-untyped-def]
            time.sleep(0.05)
            return super().encode(texts)

    slow = Slow()
    batched = BatchedEncoder(slow, max_wait_ms=200, max_size=64)
    first = asyncio.ensure_future(batched.encode(["first"]))
    await asyncio.sleep(0.01)  # the first batch is now running in the worker thread
    rest = await asyncio.gather(*(batched.encode([f"t{i}"]) for i in range(5)))
    await first
    await batched.aclose()
    assert slow.calls == [1, 5]
    assert len(rest) == 5


async def test_dedupe_computes_identical_items_once_and_answers_every_caller() -> None:
    from nlu.batching import MicroBatcher

    calls: list[list[str]] = []

    def shout(items: list[str]) -> list[str]:
        calls.append(items)
        return [item.upper() for item in items]

    batcher = MicroBatcher[str, str](shout, max_wait_ms=50, dedupe=True)
    replies = await asyncio.gather(*(batcher.submit(word) for word in ["hi", "yo", "hi", "hi"]))
    await batcher.aclose()
    assert replies == ["HI", "YO", "HI", "HI"]
    assert calls == [["hi", "yo"]] and batcher.batch_sizes == [2]

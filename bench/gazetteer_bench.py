"""How fast the gazetteer of a company's ids builds and matches, and how big it is.

100,000 order ids (10 digits, SAP-like), 40,000 invoice ids (RE-2026-nnnnn), 5,000 SKUs
(LED/9W/E27-like) and 2,000 customers; then messages of a supplier, with and without an id, in
English and Chinese, matched one at a time (median and p99 of 20,000 matches), and the whole entity
extraction of such a message with and without the gazetteer.

    .venv/bin/python bench/gazetteer_bench.py
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu.entities import EntityExtractor
from nlu.gazetteer import IdGazetteer, KnownId

ORDERS, INVOICES, SKUS, CUSTOMERS = 100_000, 40_000, 5_000, 2_000
MATCHES = 20_000


def company(rng: random.Random) -> list[KnownId]:
    orders = rng.sample(range(4_500_000_000, 4_599_999_999), ORDERS)
    ids = [KnownId("order_id", str(o), str(o)) for o in orders]
    ids += [KnownId("invoice_id", f"RE-2026-{i:05d}", f"RE-2026-{i:05d}") for i in range(INVOICES)]
    kinds = ["LED", "TX", "CBL", "BAT", "SW"]
    ids += [
        KnownId("sku", s, s)
        for s in {
            f"{rng.choice(kinds)}/{rng.randint(1, 99)}W/E{rng.randint(10, 99)}" for _ in range(SKUS * 3)
        }
    ][:SKUS]
    ids += [KnownId("customer", f"Customer {c:04d} Trading", f"C-{c:04d}") for c in range(CUSTOMERS)]
    return ids


def messages(ids: list[KnownId], rng: random.Random) -> list[str]:
    templates = [
        "where is {}?",
        "{}到哪了",
        "hi, could you tell me whether invoice {} has been paid already? thanks a lot",
        "stock of {} please",
        "我们的订单{}什么时候发货，客户在催了",
        "nothing here but words and a number 12345 and a date 2026-03-10",
    ]
    return [rng.choice(templates).format(rng.choice(ids).key) for _ in range(MATCHES)]


class Store:
    def __init__(self, gazetteer: IdGazetteer | None) -> None:
        self.gazetteer = gazetteer

    def id_gazetteer(self) -> IdGazetteer | None:
        return self.gazetteer


def timed(fn: object, texts: list[str]) -> tuple[float, float]:
    durations = []
    for text in texts:
        start = time.perf_counter()
        fn(text)  # type: ignore[operator]
        durations.append(time.perf_counter() - start)
    durations.sort()
    return statistics.median(durations) * 1e6, durations[int(len(durations) * 0.99)] * 1e6


def main() -> None:
    rng = random.Random(23)
    ids = company(rng)
    start = time.perf_counter()
    gazetteer = IdGazetteer(ids)
    build = time.perf_counter() - start
    tracemalloc.start()  # a second build, traced (tracemalloc slows it down): what it holds
    traced = IdGazetteer(ids)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    texts = messages(ids, rng)
    found = sum(1 for t in texts[:2000] if gazetteer.find(t))
    match_median, match_p99 = timed(gazetteer.find, texts)
    today = dt.date(2026, 3, 10)
    with_ids = EntityExtractor(clock=lambda: today, id_lookup=Store(gazetteer))
    without = EntityExtractor(clock=lambda: today)
    extract_median, extract_p99 = timed(with_ids.extract, texts[:5000])
    base_median, base_p99 = timed(without.extract, texts[:5000])
    print(
        f"ids: {len(ids):,} ({ORDERS:,} orders, {INVOICES:,} invoices, {SKUS:,} SKUs, "
        f"{CUSTOMERS:,} customers)"
    )
    print(f"build: {build:.2f} s; keys in the automaton: {len(gazetteer):,}; shapes: {gazetteer.shapes}")
    print(
        f"memory: automaton {gazetteer.memory_bytes() / 2**20:.1f} MiB (pyahocorasick get_stats); "
        f"Python heap held after the build {current / 2**20:.1f} MiB, "
        f"peak {peak / 2**20:.1f} MiB (tracemalloc)"
    )
    print(f"messages with an id found: {found} of 2000")
    print(f"gazetteer.find: median {match_median:.1f} µs, p99 {match_p99:.1f} µs ({MATCHES:,} messages)")
    print(
        f"EntityExtractor.extract with the gazetteer: median {extract_median:.1f} µs, "
        f"p99 {extract_p99:.1f} µs"
    )
    print(f"EntityExtractor.extract without:           median {base_median:.1f} µs, p99 {base_p99:.1f} µs")


if __name__ == "__main__":
    main()

"""Where a message's time goes: py-spy (`pip install py-spy`; not a dependency) samples the bot process."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Where a sampled stack's time goes: the first of these found walking from the innermost frame out.
# Time in the encoders' and the reply model's torch calls counts for them, a driver's C call for the
# database, and so on; stacks that match nothing are "other Python" (the dialogue's own logic, asyncio).
PROFILE_PARTS = (
    ("charts (matplotlib)", ("matplotlib/", "dialogue/analytics/charts")),
    ("forecasts and trends", ("dialogue/analytics/", "statsmodels/", "scipy/")),
    (
        "knowledge and industry retrieval",
        ("dialogue/faq", "dialogue/handbook", "dialogue/actions/sales/industries"),
    ),
    ("reply model", ("dialogue/nlg/",)),
    ("NLU encoder and classifier", ("sentence_transformers/", "nlu/")),
    ("database", ("sqlalchemy/", "aiosqlite/", "sqlite3", "psycopg", "asyncpg", "bot/storage/")),
    ("HTTP in and out", ("uvicorn/", "starlette/", "fastapi/", "h11/", "httpx/", "httpcore/", "telegram/")),
    ("serialising, logging", ("json/", "logging/", "pydantic")),
)


# Innermost frames of a thread that waits: py-spy counts some waits in C as active.
IDLE_LEAVES = (
    "(selectors.py:",  # the event loop, waiting for I/O
    "Condition.wait (threading.py",  # tqdm's monitor, any Event.wait
    "_worker (concurrent/futures/thread.py:81)",  # a pool thread waiting for work
    "_connection_worker_thread (aiosqlite/core.py:59)",  # aiosqlite's thread waiting for a call
)


def part_of(stack: str) -> str | None:
    """The part a sampled stack's time belongs to; None for a thread that only waits."""
    frames = stack.split(";")
    if any(marker in frames[-1] for marker in IDLE_LEAVES):
        return None
    for frame in reversed(frames):
        for part, markers in PROFILE_PARTS:
            if any(marker in frame for marker in markers):
                return part
    return "other Python (dialogue, asyncio)"


def summarise_profile(folded: Path) -> dict[str, float]:
    """Share of the non-idle samples of every thread, by part (py-spy's raw folded stacks)."""
    totals: dict[str, int] = {}
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        part = part_of(stack)
        if part is not None:
            totals[part] = totals.get(part, 0) + int(count)
    samples = sum(totals.values()) or 1
    return {part: round(100 * n / samples, 1) for part, n in sorted(totals.items(), key=lambda kv: -kv[1])}


@contextlib.contextmanager
def profiled(pid: int, directory: Path | None, name: str) -> Iterator[dict[str, Any]]:
    """With --profile, py-spy samples the bot process (every thread, 100/s) while the block runs."""
    result: dict[str, Any] = {}
    if directory is None:
        yield result
        return
    directory.mkdir(parents=True, exist_ok=True)
    folded = directory / f"{name}.folded"
    extra = os.environ.get("OPSBOT_BENCH_PY_SPY_ARGS", "").split()  # e.g. --gil: only the GIL's holder
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    spy = subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--rate", "100", "--format", "raw", "-o", str(folded), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield result
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    if folded.exists():
        result["profile_percent"] = summarise_profile(folded)

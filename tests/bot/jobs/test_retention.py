"""The nightly retention job keeps the current handbook sync and the few before it, and no more."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.jobs.maintenance import apply_retention
from dialogue.embedding import HashingEmbedder
from dialogue.handbook_store import current_version, load_synced, sync_handbook
from tests.conftest import MakeRuntime

SECOND = 1_000_000_000


def _write_handbook(source: Path, n: int) -> None:
    source.mkdir(exist_ok=True)
    (source / "terms.md").write_text(
        f"# Terms\n\n## Payment terms\n\nWe pay every invoice {30 + n} days after delivery.\n\n"
        "Questions:\n- When do you pay?\n",
        encoding="utf-8",
    )


def _date(store: Path, version: str, at: int) -> None:
    for suffix in (".json", ".npz"):
        os.utime(store / f"{version}{suffix}", ns=(at * SECOND, at * SECOND))


async def _sync(store: Path, source: Path, n: int, at: int) -> str:
    """Sync handbook number `n` (its own text) and date its files `at` (seconds)."""
    _write_handbook(source, n)
    handbook, _ = await sync_handbook(source, store, HashingEmbedder(), encoder="hashing")
    _date(store, handbook.version, at)
    return handbook.version


def _stored(store: Path) -> set[str]:
    return {p.stem for p in store.glob("*.json")}


async def test_old_handbook_syncs_are_deleted_but_the_current_and_five_before_it(
    make_runtime: MakeRuntime, clock: Any, tmp_path: Path
) -> None:
    runtime = await make_runtime(start=False, use_clock=True)
    store, source = tmp_path / "knowledge", tmp_path / "handbook"
    versions = [await _sync(store, source, n, at=1_000 + n) for n in range(8)]
    assert len(set(versions)) == 8 and current_version(store) == versions[7]

    retention = {"clock": clock, "days": 365, "handbook_store": store}
    assert await apply_retention(runtime.store.sessionmaker, **retention) == 2
    assert _stored(store) == set(versions[2:])
    assert not (store / f"{versions[0]}.npz").exists()

    # going back to the first handbook syncs it again: it is current, and the oldest kept one goes
    assert await _sync(store, source, 0, at=2_000) == versions[0]
    assert await apply_retention(runtime.store.sessionmaker, **retention) == 1
    assert _stored(store) == {versions[0], *versions[3:]}
    synced = load_synced(store, encoder="hashing")
    assert synced is not None and synced.version == versions[0]
    assert "30 days" in synced.entries[0].answer

    assert await apply_retention(runtime.store.sessionmaker, **retention) == 0  # nothing more to do


async def test_a_store_never_synced_is_left_alone(
    make_runtime: MakeRuntime, clock: Any, tmp_path: Path
) -> None:
    runtime = await make_runtime(start=False, use_clock=True)
    store = tmp_path / "knowledge"
    store.mkdir()
    (store / "0123456789abcdef.json").write_text("{}", encoding="utf-8")  # no `current`: not ours to judge
    retention = {"clock": clock, "days": 365, "handbook_store": store}
    assert await apply_retention(runtime.store.sessionmaker, **retention) == 0
    assert (
        await apply_retention(
            runtime.store.sessionmaker, **{**retention, "handbook_store": tmp_path / "none"}
        )
        == 0
    )
    assert _stored(store) == {"0123456789abcdef"}


async def test_the_nightly_job_is_given_the_configured_retention_and_handbook_store(
    make_runtime: MakeRuntime, tmp_path: Path
) -> None:
    runtime = await make_runtime(
        start=False,
        overrides={
            "scheduler": {"enabled": True},
            "api": {"batch_retention_days": 7},
            "knowledge": {"store": str(tmp_path / "kb")},
        },
    )
    assert runtime.leader is not None
    job = runtime.leader._scheduler.get_job("retention")
    assert job.kwargs["batch_days"] == 7
    assert job.kwargs["handbook_store"] == tmp_path / "kb"

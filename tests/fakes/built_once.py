"""Things a test run builds once (a trained model), shared by the run's xdist workers.

Each worker is a process with a session of its own, so a session fixture would train the same model
once per worker, on the same two cores. The first worker to ask builds it under a file lock; the others
wait for it and reuse it. Without xdist it is the session's own folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]) -> Path:
    """The folder `name`, filled by `build` once per test run (whichever worker asks first)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    target, done = root / name, root / f"{name}.built"
    with FileLock(f"{target}.lock"):
        if not done.exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            build(target)
            done.touch()
    return target

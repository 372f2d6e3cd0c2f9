"""The payload zoo: real request bodies of every kind, from shared/ (read in place) and from this repo.

Shared payloads are real captures collected beside the repository (`shared/data/payloads`, or
OPSBOT_PAYLOADS_DIR); they are read where they are, never copied. The repo's own
(`tests/adapters/payloads`) are built from the platforms' documentation for kinds the shared set lacks.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OWN = Path(__file__).resolve().parent / "payloads"


def shared_dir() -> Path | None:
    candidates = [os.environ.get("OPSBOT_PAYLOADS_DIR", ""), REPO.parent / "shared/data/payloads"]
    candidates.append("/work/shared/data/payloads")
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


_PREFIX = {"telegram": "tg_", "slack": "slack_"}


def payload_files(platform: str) -> list[Path]:
    """Every payload of a platform ("telegram", "slack"): the shared ones, then the repo's own."""
    prefix = _PREFIX[platform]
    shared = shared_dir()
    files = sorted(shared.glob(f"{prefix}*.json")) if shared is not None else []
    return files + sorted((OWN / platform).glob(f"{prefix}*.json"))


def payload_params(platform: str) -> list[object]:
    files = payload_files(platform)
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no payloads found"))]
    return [pytest.param(path, id=path.name.removesuffix(".json")) for path in files]


def read(name: str) -> bytes:
    """One shared payload by file name (skips the test when shared/ is not beside the repo)."""
    shared = shared_dir()
    if shared is None or not (shared / name).is_file():
        pytest.skip(f"shared payload {name} not found")
    return (shared / name).read_bytes()

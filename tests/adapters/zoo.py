"""The payload zoo: real request bodies of every kind, from shared/ (read in place) and from this repo.

Shared payloads are real captures collected beside the repository (`shared/data/payloads`, or
OPSBOT_PAYLOADS_DIR); they are read where they are, never copied. The repo's own
(`tests/adapters/payloads`) are built from the platforms' documentation for kinds the shared set lacks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Payload:
    """One payload file, read: its name without `.json` and its bytes."""

    name: str
    body: bytes

    @property
    def is_form(self) -> bool:
        return self.name.endswith(".form")


def payloads(platform: str) -> list[Payload]:
    return [Payload(path.name.removesuffix(".json"), path.read_bytes()) for path in payload_files(platform)]


def payload_params(platform: str) -> list[object]:
    """Test parameters, one per payload (read at collection time, so async tests do no file I/O)."""
    found = payloads(platform)
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no payloads found"))]
    return [pytest.param(payload, id=payload.name) for payload in found]


def payload(platform: str, name: str) -> Payload:
    """One payload by name (without `.json`)."""
    found = [p for p in payloads(platform) if p.name == name]
    if not found:
        pytest.skip(f"payload {name} not found")
    return found[0]

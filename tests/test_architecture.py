"""Imports flow one way: bot -> adapters -> dialogue -> nlu. Core never imports a platform SDK."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FORBIDDEN = {
    "dialogue": {"telegram", "slack_bolt", "slack_sdk", "starlette", "fastapi", "uvicorn", "bot", "adapters"},
    "nlu": {
        "telegram",
        "slack_bolt",
        "slack_sdk",
        "starlette",
        "fastapi",
        "uvicorn",
        "bot",
        "adapters",
        "dialogue",
    },
    "adapters": {"bot"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_forbidden_layers(repo_root: Path, package: str) -> None:
    offenders = []
    for path in sorted((repo_root / package).rglob("*.py")):
        bad = imported_modules(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(repo_root)}: {sorted(bad)}")
    assert offenders == []


def test_the_check_itself_catches_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import os\nfrom slack_sdk.web import WebClient\nif True:\n    import bot.app\n")
    assert imported_modules(sample) & FORBIDDEN["dialogue"] == {"slack_sdk", "bot"}

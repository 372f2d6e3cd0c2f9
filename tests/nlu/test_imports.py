"""nlu never imports platform SDKs, the web framework or bot (bot -> adapters -> dialogue -> nlu)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("telegram", "slack_bolt", "slack_sdk", "starlette", "bot", "adapters", "dialogue")
NLU = Path(__file__).resolve().parents[2] / "nlu"


def test_no_forbidden_imports_in_source() -> None:
    offenders = []
    for path in NLU.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_nlu_loads_no_forbidden_module() -> None:
    code = (
        "import sys, nlu.parser, nlu.train, nlu.evaluate, nlu.encoder;"
        f"bad=[m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

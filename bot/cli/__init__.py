"""The `opsbot` command line: every command module registers on `bot.cli.base.app`."""

from __future__ import annotations

from bot.cli import (
    conversations,
    data,
    db,
    digest,
    escalations,
    knowledge,
    llm,
    nlg,
    nlu,
    run,
    suppliers,
    telegram,
)
from bot.cli.base import app

__all__ = [
    "app",
    "conversations",
    "data",
    "db",
    "digest",
    "escalations",
    "knowledge",
    "llm",
    "main",
    "nlg",
    "nlu",
    "run",
    "suppliers",
    "telegram",
]


def main() -> None:
    app()

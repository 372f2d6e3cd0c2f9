"""The `opsbot` command line: every command module registers on `bot.cli.base.app`."""

from __future__ import annotations

from bot.cli import conversations, db, digest, escalations, nlg, nlu, run, suppliers, telegram
from bot.cli.base import app

__all__ = [
    "app",
    "conversations",
    "db",
    "digest",
    "escalations",
    "main",
    "nlg",
    "nlu",
    "run",
    "suppliers",
    "telegram",
]


def main() -> None:
    app()

"""Logging is configured once, at start-up: a log file always, the terminal as asked; no tokens."""

from __future__ import annotations

import logging
import logging.handlers
import re
from collections.abc import Sequence
from pathlib import Path

_TOKEN_PATTERNS = [
    re.compile(r"\d{6,12}:[A-Za-z0-9_-]{30,}"),  # Telegram bot token
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}"),  # Slack tokens
    re.compile(r"xapp-[A-Za-z0-9-]{10,}"),
]
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_NOISY = ("httpx", "httpcore", "apscheduler.executors.default", "aiosqlite", "sentence_transformers")


class RedactTokens(logging.Filter):
    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 6]

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub("***", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            if self._clean(str(exc)) != str(exc):
                record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
        return True


def log_file(var_dir: Path) -> Path:
    return var_dir / "log" / "opsbot.log"


def configure_logging(
    level: str, secrets: Sequence[str], *, var_dir: Path, terminal_level: str | None = None
) -> Path:
    """Log at `level` to var/log/opsbot.log (rotated) and at `terminal_level` (default `level`) to stderr."""
    path = log_file(var_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    redact = RedactTokens(secrets)
    to_file = logging.handlers.RotatingFileHandler(path, maxBytes=10_000_000, backupCount=5, encoding="utf-8")
    to_terminal = logging.StreamHandler()
    to_terminal.setLevel(terminal_level or level)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "opsbot", False)]:  # others' handlers stay
        root.removeHandler(old)
        old.close()
    for handler in (to_file, to_terminal):
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(redact)
        setattr(handler, "opsbot", True)  # noqa: B010 - marks the handlers this module owns
        root.addHandler(handler)
    root.setLevel(level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    return path

"""`opsbot chat`: a terminal conversation through the same inbox and outbox as every channel."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import UTC, datetime

from adapters.web import parse_web_message
from bot.builder import build_application
from bot.config import AppConfig
from bot.serve import prepare_models


async def console_chat(config: AppConfig, *, sender: str, supplier_id: str | None) -> None:
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # the terminal is the chat
    models = await prepare_models(config)
    application = build_application(config, models=models)
    timeout = config.settings.web.reply_timeout_seconds
    async with application:
        print("opsbot console chat. Type a message, or Ctrl+D to quit.", flush=True)
        while (line := await asyncio.to_thread(_read_line)) is not None:
            if not line.strip():
                continue
            message = parse_web_message(
                {"sender": sender, "text": line, "supplier_id": supplier_id, "message_id": _message_id()},
                trust_supplier_id=config.settings.web.trust_supplier_id,
            )
            result = await application.ingest(message)
            if result.inbox_id is None:
                continue
            for reply in await application.wait_replies(result.inbox_id, timeout) or []:
                print(f"bot> {reply.text}", flush=True)
                if reply.buttons:
                    print("     [" + "] [".join(b.label for b in reply.buttons) + "]", flush=True)


def _read_line() -> str | None:
    with contextlib.suppress(EOFError):
        sys.stdout.write("you> ")
        sys.stdout.flush()
        line = sys.stdin.readline()
        return line.rstrip("\n") if line else None
    return None


def _message_id() -> str:
    return f"console-{datetime.now(UTC).timestamp():.6f}"

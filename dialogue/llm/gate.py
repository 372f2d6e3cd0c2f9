"""`ModelGate`: how the core calls a language model, with a time limit, redaction, and a fallback.

Every method returns None instead of raising: None means "do what opsbot does without a model". A call
is bounded by `timeout_seconds`; the gate stops waiting then, whatever the provider does (a local model's
generation may finish in its thread, unread), so a reply is never late by more than the timeout.

For other features (e.g. a follow-up e-mail draft): build messages, then

    text = await services.llm.complete_text("email", [ChatMessage("user", prompt)]) if services.llm else None

and treat None as "no model": the use must be listed in `llm.uses` (add its name to
`bot.llm.settings.LlmUse`), and whatever comes back must be checked before anyone sees it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

from dialogue.llm.model import ERROR, TIMEOUT, ChatMessage, LlmError, LlmObserver, NullObserver, TextModel
from dialogue.llm.redact import redact as redact_text

log = logging.getLogger(__name__)
T = TypeVar("T")


class ModelGate:
    def __init__(
        self,
        model: TextModel,
        *,
        uses: Collection[str],
        timeout_seconds: float,
        redact: bool = True,
        observer: LlmObserver | None = None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.model = model
        self.uses = frozenset(uses)
        self.timeout_seconds = timeout_seconds
        self.redact = redact
        self._observer = observer or NullObserver()
        self._timer = timer

    def enabled(self, use: str) -> bool:
        return use in self.uses

    def prepare(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The messages as they leave: masked when `redact` is on."""
        if not self.redact:
            return list(messages)
        return [ChatMessage(m.role, redact_text(m.content)) for m in messages]

    async def complete_json(
        self, use: str, messages: Sequence[ChatMessage], schema: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """One JSON object fitting `schema`, or None (use off, timeout, error, invalid output)."""
        if not self.enabled(use):
            return None
        return await self._bounded(use, self.model.complete_json(use, self.prepare(messages), schema))

    async def complete_text(self, use: str, messages: Sequence[ChatMessage]) -> str | None:
        """The model's text, stripped, or None (use off, timeout, error, empty answer)."""
        if not self.enabled(use):
            return None
        text = await self._bounded(use, self.model.complete_text(use, self.prepare(messages)))
        return text.strip() or None if text is not None else None

    def reject(self, use: str, reason: str, words: Sequence[str] = ()) -> None:
        """Count and log an answer that failed the checks (it is not shown)."""
        self._observer.rejected(use, reason)
        log.warning("llm %s answer rejected (%s): %s", use, reason, ", ".join(words) or "-")

    async def _bounded(self, use: str, call: Awaitable[T]) -> T | None:
        started = self._timer()
        task = asyncio.ensure_future(call)
        try:
            done, _ = await asyncio.wait({task}, timeout=self.timeout_seconds)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if not done:
            task.cancel()  # not awaited: a provider slow to stop must not delay the reply
            task.add_done_callback(_retrieve)
            self._fell_back(use, TIMEOUT, started, f"no answer in {self.timeout_seconds:g} s")
            return None
        try:
            result = task.result()
        except LlmError as exc:
            self._fell_back(use, exc.reason, started, str(exc))
            return None
        except Exception as exc:  # a provider's bug must never cost the user the reply
            log.exception("llm %s call failed", use)
            self._fell_back(use, ERROR, started, f"{type(exc).__name__}: {exc}")
            return None
        self._observer.call(use, self._timer() - started, "ok")
        return result

    def _fell_back(self, use: str, reason: str, started: float, detail: str) -> None:
        self._observer.call(use, self._timer() - started, reason)
        self._observer.fallback(use, reason)
        log.warning("llm %s: falling back without the model (%s)", use, detail)
        return None


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Read a cancelled call's outcome, so asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()

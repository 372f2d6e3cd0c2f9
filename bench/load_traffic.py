"""What the load benchmark's senders say, and what it measures of their replies.

`MIX` chooses the messages: "varied" (bench/mix.py, no text repeated within a phase) or "scripted" (the
first session's 12 messages per sender); bench/load.py sets it from `--mix`.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mix as mixes

from tests.fakes.telegram_api import FakeTelegramAPI

# Twelve messages a supplier might send in a row, in English and Chinese.
SCRIPTS: dict[str, tuple[str, ...]] = {
    "en": (
        "hi",
        "where is PO-1001?",
        "when will INV-2002 be paid?",
        "how much stock of AB-1020 do we have",
        "what are your payment terms?",
        "my open invoices",
        "where is my order PO-1002",
        "do you accept returns of damaged goods?",
        "stock for KX-550?",
        "thanks",
        "what can you do",
        "bye",
    ),
    "zh": (
        "你好",
        "PO-1001 到哪了？",
        "INV-2002 什么时候付款？",
        "AB-1020 库存多少",
        "你们的付款条件是什么？",
        "我的未付发票",
        "PO-1002 发货了吗",
        "退货政策是什么",
        "KX-550 还有库存吗",
        "谢谢",
        "你能做什么",
        "再见",
    ),
}


@dataclass
class Measured:
    replies: list[float] = field(default_factory=list)  # seconds from POST to the reply
    acks: list[float] = field(default_factory=list)  # seconds from POST to the HTTP answer
    errors: list[str] = field(default_factory=list)
    kinds: dict[str, list[float]] = field(default_factory=dict)  # reply seconds per kind of message
    started: float = 0.0
    finished: float = 0.0

    def summary(self) -> dict[str, Any]:
        def pct(values: list[float], q: float) -> float | None:
            if not values:
                return None
            ordered = sorted(values)
            return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

        seconds = max(1e-9, self.finished - self.started)
        return {
            "messages": len(self.replies),
            "msgs_per_s": round(len(self.replies) / seconds, 1),
            "reply_ms_p50": pct(self.replies, 0.50),
            "reply_ms_p99": pct(self.replies, 0.99),
            "reply_ms_max": round(1000 * max(self.replies), 1) if self.replies else None,
            "ack_ms_p50": pct(self.acks, 0.50),
            "ack_ms_p99": pct(self.acks, 0.99),
            "errors": len(self.errors),
            "error_samples": self.errors[:8],
            **({"by_kind": self.by_kind()} if self.kinds else {}),
        }

    def record(self, kind: str, seconds: float) -> None:
        self.replies.append(seconds)
        self.kinds.setdefault(kind, []).append(seconds)

    def by_kind(self) -> dict[str, dict[str, float | int]]:
        out: dict[str, dict[str, float | int]] = {}
        for kind, values in sorted(self.kinds.items(), key=lambda kv: -statistics.median(kv[1])):
            ordered = sorted(values)
            out[kind] = {
                "n": len(values),
                "p50": round(1000 * statistics.median(values), 1),
                "p99": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
            }
        return out


MIX = "varied"  # or "scripted" (--mix)


def scripted(n: int, rounds: int) -> list[mixes.Probe]:
    script = SCRIPTS["zh" if n % 3 == 0 else "en"]
    return [mixes.Probe(script[i % 12], "scripted", "en", "scripted") for i in range(rounds)]


def messages_of(
    senders: int, rounds: int, *, offset: int = 0, suppliers_only: bool = False
) -> list[list[mixes.Probe]]:
    """Each sender's messages: the varied mix (distinct while senders x rounds <= its size), or the script."""
    if MIX == "scripted":
        return [scripted(n, rounds) for n in range(senders)]
    kinds = SUPPLIER_KINDS if suppliers_only else tuple(mixes.WEIGHTS)
    return list(mixes.rounds_of(varied(kinds), senders, rounds, offset))


_VARIED: dict[tuple[str, ...], list[mixes.Probe]] = {}
SUPPLIER_KINDS = tuple(k for k in mixes.WEIGHTS if k not in mixes.SALES_KINDS)


def varied(kinds: tuple[str, ...]) -> list[mixes.Probe]:
    if kinds not in _VARIED:
        _VARIED[kinds] = mixes.varied_mix(kinds=kinds)
    return _VARIED[kinds]


REPLY_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


class TelegramReplies:
    """Watches the fake Bot API and tells each waiting sender when its chat got a message (text or file)."""

    def __init__(self, api: FakeTelegramAPI) -> None:
        self._api = api
        self._seen = 0
        self._waiting: dict[str, list[asyncio.Future[float]]] = {}

    def expect(self, chat: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(str(chat), []).append(future)
        return future

    async def run(self) -> None:
        while True:
            # a reply is a text or a file: an answer with a chart (a forecast, a trend) is one sendPhoto
            # with the text as its caption, and no sendMessage at all
            calls = [c for c in self._api.calls() if c.method in REPLY_METHODS]
            for call in calls[self._seen :]:
                waiting = self._waiting.get(str(call.params.get("chat_id")))
                if waiting:
                    future = waiting.pop(0)
                    if not future.done():
                        future.set_result(call.at)
            self._seen = len(calls)
            await asyncio.sleep(0.005)

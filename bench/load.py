"""Load through the real HTTP endpoints with the real models: the web chat and the Telegram webhook.

Starts `opsbot run` as a separate process on a fresh database (SQLite file or PostgreSQL database),
with the shipped models and a fake Telegram Bot API (tests/fakes) that timestamps every call (a reply
is the chat's first sendMessage, sendPhoto or sendDocument: an answer with a chart is a captioned photo),
then drives it:

- closed loop: N senders write at once, each sending its next message when the previous one is
  answered: by default the varied mix (bench/mix.py: hundreds of distinct EN/ZH messages of every kind,
  trends and forecasts one in ten, none repeated within a phase), or with `--mix scripted` the first
  session's 12 scripted messages per sender;
- open loop: a fixed offered rate of Telegram updates for a fixed time, whatever the replies do;
- idle: one sender alone, for the latency nobody waits behind; `--only kinds`: one idle sender per
  kind of message (p50 per kind, the issue-28 table);
- with `--big`, one maximum-size message (4,096 emoji on Telegram) among normal traffic, to see what
  it costs the others.

Reports msgs/s, webhook ack p50/p99, reply latency p50/p99/max (POST -> the fake's first reply call, or
the web chat's inline answer), and errors; prints one JSON line at the end.

    make bench-load                       # both databases, the figures the README quotes
    python bench/load.py --db sqlite --only closed --senders 32
    python bench/load.py --project /tmp/before    # an earlier commit, checked out with `git worktree add`
    python bench/load.py --only closed --profile /tmp/profile    # where a message's time goes (py-spy)
    python bench/load.py --db sqlite --only kinds                 # idle p50 per kind of message
    python bench/load.py --mix scripted                           # the first session's 12 messages
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bot_process
import mix as mixes
from bot_process import SUPPLIERS, commit_of, machine, post_update, running_bot
from cpu_usage import cpu_seconds, machine_busy, thread_cpu, thread_names
from py_spy_profile import profiled

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_updates import text_update

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


# --- what the senders say --------------------------------------------------------------------

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


# --- drivers ---------------------------------------------------------------------------------


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


async def closed_loop_web(
    base: str, senders: int, rounds: int, *, offset: int = 0, script: bool = False
) -> Measured:
    measured = Measured()
    limits = httpx.Limits(max_connections=senders + 4)
    plans = (
        [scripted(n, rounds) for n in range(senders)]
        if script
        else messages_of(senders, rounds, offset=offset)
    )

    async def supplier(n: int, client: httpx.AsyncClient) -> None:
        conversation = 0
        for probe in plans[n]:
            body = {"sender": f"load-{n}-{conversation}", "text": probe.text, "supplier_id": SUPPLIERS[n % 5]}
            if probe.kind in mixes.NEW_CONVERSATION_AFTER:
                conversation += 1
            started = time.monotonic()
            try:
                response = await client.post("/web/messages", json=body)
                answered = response.json().get("replies") if response.status_code == 200 else None
                if not answered or any(r.get("kind") == "handoff" for r in answered):
                    conversation += 1  # with a person now (the bot is silent there): start another
                if not answered:
                    measured.errors.append(f"{response.status_code} {response.text[:100]}")
                    continue
            except httpx.HTTPError as exc:
                measured.errors.append(repr(exc))
                continue
            measured.record(probe.kind, time.monotonic() - started)

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        measured.started = time.monotonic()
        await asyncio.gather(*(supplier(n, client) for n in range(senders)))
        measured.finished = time.monotonic()
    return measured


async def closed_loop_telegram(base: str, api: FakeTelegramAPI, senders: int, rounds: int) -> Measured:
    measured = Measured()
    replies = TelegramReplies(api)
    watcher = asyncio.create_task(replies.run())
    next_id = iter(range(10_000_000, 20_000_000))
    # suppliers' kinds only (sales reps are on Slack), from where the web loop's messages end
    plans = messages_of(senders, rounds, offset=senders * rounds, suppliers_only=True)

    async def supplier(n: int, client: httpx.AsyncClient) -> None:
        for k, probe in enumerate(plans[n - 1]):
            # a chat of its own per message (chats 1..senders x rounds are linked): a message that hands
            # its chat to a person (the bot then stays silent there) leaves the next ones unaffected
            chat = n + k * senders
            answered = replies.expect(chat)
            started = time.monotonic()
            try:
                measured.acks.append(
                    await post_update(client, text_update(next(next_id), probe.text, chat_id=chat))
                )
                at = await asyncio.wait_for(answered, 60)
            except (httpx.HTTPError, RuntimeError, TimeoutError) as exc:
                measured.errors.append(f"{exc!r} {probe.kind}: {probe.text[:60]}")
                continue
            measured.record(probe.kind, at - started)

    async with httpx.AsyncClient(
        base_url=base, timeout=60, limits=httpx.Limits(max_connections=senders + 4)
    ) as client:
        measured.started = time.monotonic()
        await asyncio.gather(*(supplier(n, client) for n in range(1, senders + 1)))
        measured.finished = time.monotonic()
    watcher.cancel()
    return measured


async def open_loop_telegram(
    base: str, api: FakeTelegramAPI, rate: float, seconds: float, chats: int
) -> Measured:
    """Offer `rate` updates a second for `seconds`, round-robin over `chats` chats."""
    measured = Measured()
    replies = TelegramReplies(api)
    watcher = asyncio.create_task(replies.run())
    pending: list[asyncio.Task[None]] = []
    if MIX == "scripted":
        texts = [SCRIPTS["zh" if c % 3 == 0 else "en"][k] for k in range(12) for c in (1, 3)]
    else:  # suppliers' kinds, but none that hands the chat to a person
        texts = [p.text for p in varied(SUPPLIER_KINDS) if p.kind not in ("handoff", "complaint")]

    async def one(n: int, client: httpx.AsyncClient) -> None:
        chat = 1 + n % chats
        answered = replies.expect(chat)
        started = time.monotonic()
        try:
            text = texts[n % len(texts)]
            measured.acks.append(await post_update(client, text_update(30_000_000 + n, text, chat_id=chat)))
            at = await asyncio.wait_for(answered, 60)
        except (httpx.HTTPError, RuntimeError, TimeoutError) as exc:
            measured.errors.append(repr(exc))
            return
        measured.replies.append(at - started)

    async with httpx.AsyncClient(
        base_url=base, timeout=60, limits=httpx.Limits(max_connections=200)
    ) as client:
        measured.started = time.monotonic()
        total = int(rate * seconds)
        for n in range(total):
            due = measured.started + n / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            pending.append(asyncio.create_task(one(n, client)))
        await asyncio.gather(*pending)
        measured.finished = time.monotonic()
    watcher.cancel()
    return measured


async def idle(base: str, messages: int = 40, probes: list[mixes.Probe] | None = None) -> Measured:
    """One sender alone: `messages` of the mix (from its end: not the closed loop's), 0.2 s apart."""
    measured = Measured()
    if probes is None:
        probes = scripted(1, messages) if MIX == "scripted" else varied(tuple(mixes.WEIGHTS))[-messages:]
    conversation = 0
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        measured.started = time.monotonic()
        for probe in probes:
            started = time.monotonic()
            body = {
                "sender": f"idle-{probe.kind}-{conversation}",
                "text": probe.text,
                "supplier_id": "SUP-001",
            }
            if probe.kind in mixes.NEW_CONVERSATION_AFTER:
                conversation += 1
            response = await client.post("/web/messages", json=body)
            answered = response.json().get("replies") if response.status_code == 200 else None
            if not answered or any(r.get("kind") == "handoff" for r in answered):
                conversation += 1
            if answered:
                measured.record(probe.kind, time.monotonic() - started)
            else:
                measured.errors.append(f"{response.status_code} {response.text[:100]}")
            await asyncio.sleep(0.2)
        measured.finished = time.monotonic()
    return measured


async def idle_kinds(base: str, per_kind: int) -> Measured:
    """One idle sender per kind of message, one kind after another: `per_kind` messages of each."""
    pool = varied(tuple(mixes.WEIGHTS))
    chosen: list[mixes.Probe] = []
    for kind in mixes.WEIGHTS:
        of_kind = [p for p in reversed(pool) if p.kind == kind]
        en = [p for p in of_kind if p.language == "en"]
        zh = [p for p in of_kind if p.language == "zh"]
        # both languages, two English to one Chinese
        picked = [p for trio in zip(en[::2], en[1::2], zh, strict=False) for p in trio]
        chosen += (picked + [p for p in of_kind if p not in picked])[:per_kind]
    return await idle(base, len(chosen), chosen)


async def head_of_line(base: str, api: FakeTelegramAPI, senders: int) -> Measured:
    """Normal traffic while one maximum-size Telegram message (4,096 emoji) goes through."""
    big = text_update(40_000_000, "😀" * 4096, chat_id=senders + 1)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        traffic = asyncio.create_task(closed_loop_web(base, senders, 4))
        await asyncio.sleep(0.3)
        await post_update(client, big)
        return await traffic


# --- main ----------------------------------------------------------------------------------


async def phase(pids: list[int], load: Awaitable[Measured]) -> dict[str, Any]:
    """Run one phase; its figures, with where the CPU went meanwhile: the bot's CPU time per answered
    message (all its processes, and their children: the rendering process), the share of one core
    each thread of the first process used, and how
    busy the machine was (the bot, the database server and this load generator together)."""
    pid = pids[0]

    def family() -> list[int]:
        """The bot's processes and their children (the chart-rendering process)."""
        found = list(pids)
        for p in pids:
            for task in Path(f"/proc/{p}/task").glob("*/children"):
                found += [int(c) for c in task.read_text().split()]
        return found

    members = family()

    def bot_cpu() -> float:
        return sum(cpu_seconds(f"/proc/{p}/stat") for p in members)

    before, threads_before, (busy_before, total_before) = bot_cpu(), thread_cpu(pid), machine_busy()
    started = time.monotonic()
    summary = (await load).summary()
    elapsed = max(1e-9, time.monotonic() - started)
    busy, total = machine_busy()
    answered = summary["messages"]
    spent = bot_cpu() - before
    summary["bot_cpu_ms_per_msg"] = round(1000 * spent / answered, 1) if answered else None
    summary["machine_busy"] = round((busy - busy_before) / max(1, total - total_before), 2)
    names = thread_names(pid)
    used = {
        names.get(tid, "native"): round((seconds - threads_before.get(tid, 0.0)) / elapsed, 2)
        for tid, seconds in thread_cpu(pid).items()
    }
    summary["threads_busy"] = {name: share for name, share in sorted(used.items()) if share >= 0.05}
    return summary


async def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with FakeTelegramAPI.running() as api:
        # chats 1..senders x rounds linked: the Telegram closed loop writes each message in a chat of its own
        linked = max(args.senders, args.senders * args.rounds)
        async with running_bot(kind, api, linked, {}, split=args.split) as (base, pids):
            await closed_loop_web(base, 4, 2, script=True)  # warm up: connections (the scripted messages)
            if args.only in (None, "idle"):
                results["idle"] = await phase(pids, idle(base))
            if args.only == "kinds":
                results["idle_by_kind"] = await phase(pids, idle_kinds(base, args.per_kind))
            if args.only in (None, "closed"):
                with profiled(pids[-1], args.profile, f"{kind}-closed_web") as profile:
                    closed = await phase(pids, closed_loop_web(base, args.senders, args.rounds))
                results["closed_web"] = {**closed, **profile}
                api.reset()
                with profiled(pids[-1], args.profile, f"{kind}-closed_telegram") as profile:
                    closed = await phase(pids, closed_loop_telegram(base, api, args.senders, args.rounds))
                results["closed_telegram"] = {**closed, **profile}
            if args.only in (None, "open"):
                api.reset()
                results["open_telegram"] = await phase(
                    pids, open_loop_telegram(base, api, args.rate, args.seconds, args.senders)
                )
            if args.big:
                api.reset()
                results["with_one_max_size_message"] = await phase(
                    pids, head_of_line(base, api, args.senders)
                )
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--only", choices=["idle", "closed", "open", "kinds"])
    parser.add_argument(
        "--mix",
        choices=["varied", "scripted"],
        default="varied",
        help="varied: bench/mix.py (default); scripted: the first session's 12 messages per sender",
    )
    parser.add_argument("--per-kind", type=int, default=9, help="messages per kind with --only kinds")
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=12, help="messages per sender in the closed loop")
    parser.add_argument("--rate", type=float, default=40.0, help="offered updates/s in the open loop")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of the open loop")
    parser.add_argument("--big", action="store_true", help="also measure one maximum-size message's cost")
    parser.add_argument(
        "--split",
        action="store_true",
        help="PostgreSQL: a `--role web` process in front of a `--role worker` one, instead of one process",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=bot_process.ROOT,
        help="the checkout to measure (default this one), e.g. a `git worktree` of an earlier commit "
        "with its models trained (`opsbot train all` there)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample the bot with py-spy (pip install py-spy) during the closed web loop; "
        "writes DIR/<db>-closed_web.folded and adds the share of time by part to the report",
    )
    args = parser.parse_args()
    bot_process.PROJECT = args.project.resolve()
    global MIX
    MIX = args.mix
    print(f"machine: {machine()}", flush=True)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    report: dict[str, Any] = {
        "machine": machine(),
        "project": str(bot_process.PROJECT),
        "commit": commit_of(bot_process.PROJECT),
        "senders": args.senders,
        "rounds": args.rounds,
        "mix": args.mix if args.mix == "scripted" else mixes.shares(varied(tuple(mixes.WEIGHTS))),
    }
    for kind in kinds:
        report[kind] = await run(kind, args)
        for name, figures in report[kind].items():
            print(f"{kind:9s} {name:26s} {json.dumps(figures)}", flush=True)
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())

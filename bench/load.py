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
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bot_process
import load_traffic as traffic
import mix as mixes
from bot_process import SUPPLIERS, commit_of, machine, post_update, running_bot
from cpu_usage import cpu_seconds, machine_busy, thread_cpu, thread_names
from load_traffic import SCRIPTS, SUPPLIER_KINDS, Measured, TelegramReplies, messages_of, scripted, varied
from py_spy_profile import profiled

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_updates import text_update

# --- drivers ---------------------------------------------------------------------------------


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
    if traffic.MIX == "scripted":
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
        probes = (
            scripted(1, messages) if traffic.MIX == "scripted" else varied(tuple(mixes.WEIGHTS))[-messages:]
        )
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
    traffic.MIX = args.mix
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

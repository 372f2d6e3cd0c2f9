"""What `assist` and `translate` add to a handoff, against the fake OpenAI-compatible server over HTTP
(not a test; issue 27's figures), and the as-shown examples: the card's summary, a suggested reply, a
translated relay.

Run: .venv/bin/python bench/llm_assist.py [model delay in seconds, default 0.2]
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_ROOT = _Path(__file__).resolve().parents[1]
if str(_ROOT) not in _sys.path:
    _sys.path.insert(0, str(_ROOT))

import asyncio  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from typing import Any  # noqa: E402

from bot.llm.openai_model import OpenAIModel  # noqa: E402
from bot.llm.settings import normalize_base_url  # noqa: E402
from dialogue.clock import ManualClock  # noqa: E402
from dialogue.handoff.commands import Claim, Reply  # noqa: E402
from dialogue.handoff.model import Agent, Reason  # noqa: E402
from dialogue.handoff.requests import EscalationRequest  # noqa: E402
from dialogue.handoff.service import HandoffService  # noqa: E402
from dialogue.llm.gate import ModelGate  # noqa: E402
from dialogue.messages import ConversationKey, IncomingMessage, Platform, Sender  # noqa: E402
from dialogue.settings import HandoffSettings  # noqa: E402
from tests.fakes.backend import START, FakeBackend  # noqa: E402
from tests.fakes.desk import DESK  # noqa: E402
from tests.fakes.escalations import MemoryEscalations  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402
from tests.fakes.servers import serve_asgi  # noqa: E402

RUNS = 15
ANN = Agent("slack:UANN", "Ann")
SUMMARY = [
    "Li Wei asks when PO-1001 arrives and wants a person.",
    "The card shows PO-1001 shipped.",
    "Open: confirm the delivery date with the carrier.",
]
DRAFT = "Hello Li, PO-1001 has shipped; I am confirming the delivery date with the carrier now."
TRANSLATIONS = {
    "PO-1001 的货到哪里了？我等了5天。": "Where is the shipment of PO-1001? I have waited 5 days.",
    "PO-1001 arrives in 3 days.": "PO-1001 将在 3 天内送达。",
}


def answer(body: dict[str, Any]) -> str:
    system, said = str(body["messages"][0]["content"]), str(body["messages"][-1]["content"])
    if system.startswith("Summarise"):
        return json.dumps({"lines": SUMMARY})
    if system.startswith("You draft"):
        return DRAFT
    return TRANSLATIONS.get(said, said)


def service(gate: ModelGate | None, store: MemoryEscalations) -> HandoffService:
    settings = HandoffSettings(agent_language="en")
    return HandoffService(
        store=store, backend=FakeBackend(), clock=ManualClock(START), settings=settings, desk=DESK, llm=gate
    )


def supplier_message(n: int, text: str) -> IncomingMessage:
    key = ConversationKey(Platform.TELEGRAM, f"chat-{n}")
    return IncomingMessage(Platform.TELEGRAM, key, Sender("u1", "Li Wei"), text, f"m{n}", START)


async def one_round(gate: ModelGate | None, n: int, language: str) -> dict[str, float]:
    """Open, claim, relay in, reply: the wall time of each step (and of the summary, made after)."""
    store = MemoryEscalations()
    svc = service(gate, store)
    key = f"telegram:chat-{n}"
    text = "I want to talk to a person about PO-1001" if language == "en" else "我要人工客服，PO-1001"
    request = EscalationRequest(key, (Reason("user_request"),), language, f"r{n}", text, "SUP-001", "Li Wei")
    took: dict[str, float] = {}

    async def timed(name: str, step: Callable[[], Awaitable[Any]]) -> Any:
        started = time.perf_counter()
        result = await step()
        took[name] = (time.perf_counter() - started) * 1000
        return result

    esc, _ = await timed("escalate (card queued)", lambda: svc.escalate(request))
    await timed("summary on the card, after", svc.help.settle)
    await timed("claim", lambda: svc.execute(Claim(esc.id, ANN)))
    await timed(
        "supplier message to the desk",
        lambda: svc.relay_in(esc, supplier_message(n, "PO-1001 的货到哪里了？我等了5天。")),
    )
    await timed(
        "agent reply relayed",
        lambda: svc.execute(Reply(esc.id, ANN, "PO-1001 arrives in 3 days.", on_desk=False)),
    )
    current = await store.get(esc.id)
    assert current is not None
    await timed("suggest a reply (on click)", lambda: svc.help.suggest(current))
    return took


async def measure(gate: ModelGate | None, language: str) -> dict[str, float]:
    rounds = [await one_round(gate, n, language) for n in range(RUNS)]
    return {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}


async def examples(gate: ModelGate) -> None:
    store = MemoryEscalations()
    svc = service(gate, store)
    request = EscalationRequest(
        "telegram:chat-x", (Reason("user_request"),), "zh", "rx", "我要人工客服，PO-1001", "SUP-001", "Li Wei"
    )
    esc, _ = await svc.escalate(request)
    await svc.help.settle()
    card = [m for m in store.queued if m.kind == "card"][-1].card
    assert card is not None
    print("\n--- the card's summary, as shown (first section of the card) ---")
    print(card.sections[0])
    await svc.execute(Claim(esc.id, ANN))
    current = await store.get(esc.id)
    assert current is not None
    print("\n--- a suggested reply (an ephemeral message to the clicker) ---")
    from dialogue.handoff.desk import SUGGESTION_HEAD

    print(f"{SUGGESTION_HEAD}\n{await svc.help.suggest(current)}")
    print("\n--- a translated relay ---")
    [mirrored] = await svc.relay_in(current, supplier_message(99, "PO-1001 的货到哪里了？我等了5天。"))
    print("desk thread:      ", mirrored.text.replace("\n", "\n                   "))
    before = len(store.queued)
    await svc.execute(Reply(esc.id, ANN, "PO-1001 arrives in 3 days.", on_desk=False))
    for m in store.queued[before:]:
        where = "to the supplier: " if m.kind == "relay" else "desk thread:      "
        print(where, m.text, f"(audit original: {m.metadata.get('original')!r})" if m.kind == "relay" else "")


async def main() -> None:
    delay = float(sys.argv[1]) if len(sys.argv) > 1 else 0.2
    fake = FakeOpenAI(answer=answer, hang_seconds=delay)
    async with serve_asgi(fake.app()) as root:
        model = OpenAIModel(base_url=normalize_base_url(root), model="m", timeout_seconds=8)
        on = ModelGate(model, uses={"assist", "translate"}, timeout_seconds=8)
        print(f"fake model answers after {delay:.3f} s; median of {RUNS} rounds, milliseconds")
        off_en, on_zh = await measure(None, "zh"), await measure(on, "zh")
        print(f"{'step':34} {'llm off':>9} {'assist+translate':>17} {'added':>8}")
        for name in off_en:
            print(f"{name:34} {off_en[name]:9.1f} {on_zh[name]:17.1f} {on_zh[name] - off_en[name]:8.1f}")
        await examples(on)
        await model.aclose()
        fake.release()


if __name__ == "__main__":
    asyncio.run(main())

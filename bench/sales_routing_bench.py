"""Sales routing on held-out rep questions (issue 25): which handling each question of
bench/data/sales_heldout.csv gets, against the expected one, as accuracy per expected route.

A sales rep on Slack, in the sales channel, talks to the DialogueManager with the trained NLU model
(`--model-dir`, default var/models/nlu) and the default actions on the fake backend
(tests/fakes, with its order history). Routes: query, quiet, draft (the query layer,
dialogue/actions/sales/ask.py), customer_industry, customer_lookup, sales_summary, market_trends;
anything else is reported by the action or outcome it got. Rows of split "tuned" were written with
the rules and their misses fixed;
rows of split "fresh" were written after, and not tuned on. `--without-layer` leaves the query layer
out of the action table: the routing before issue 25. The last stdout line is one JSON object.

    .venv/bin/python bench/sales_routing_bench.py [--model-dir DIR] [--without-layer]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dialogue.actions.base import Action, Reply, TurnContext  # noqa: E402
from dialogue.actions.registry import default_actions  # noqa: E402
from dialogue.messages import ChannelKind, Platform  # noqa: E402
from nlu.encoder import BatchedEncoder, load_encoder  # noqa: E402
from nlu.parser import load_parser  # noqa: E402
from tests.fakes.backend import FakeBackend  # noqa: E402
from tests.fakes.conversation import Conversation  # noqa: E402

HELDOUT = ROOT / "bench" / "data" / "sales_heldout.csv"
LAYER = {"quiet_customers": "quiet", "quiet_customers_none": "quiet"}


def route_of(action: str, outcome: str) -> str:
    if action == "sales_query":
        if outcome.startswith("sales_draft"):
            return "draft"
        return LAYER.get(outcome, "query")
    return action or f"outcome:{outcome}"


async def run(model_dir: Path, without_layer: bool) -> dict[str, object]:
    encoder = BatchedEncoder(load_encoder(""))
    backend = FakeBackend(history=True)
    today = Conversation(backend=backend).clock().date()
    parser = load_parser(model_dir, encoder=encoder, name_lookup=backend, clock=lambda: today)
    actions = default_actions(embedder=encoder)
    ran: list[str] = []
    intents = dict(actions.intents)
    if without_layer:
        intents.pop("sales_query", None)
    for name, inner in list(intents.items()):

        async def traced(ctx: TurnContext, inner: Action = inner, name: str = name) -> list[Reply]:
            ran.append(name)
            return await inner(ctx)

        intents[name] = traced
    object.__setattr__(actions, "intents", intents)
    rows = list(csv.DictReader(HELDOUT.open(encoding="utf-8")))
    per_route: dict[str, Counter[str]] = defaultdict(Counter)
    per_language: dict[str, Counter[str]] = defaultdict(Counter)
    per_split: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[str] = []
    for row in rows:
        # a new conversation each time (a complaint hands the chat to a person, and the bot goes quiet)
        chat = Conversation(
            supplier_id=None,
            channel=ChannelKind.SALES,
            platform=Platform.SLACK,
            backend=backend,
            actions=actions,
        )
        chat.manager._nlu = parser  # the trained parser in place of the keyword one
        ran.clear()
        said = await chat.say(row["text"])
        outcome = said[-1].outcome if said else ""
        got = route_of(ran[-1] if ran else "", outcome)
        ok = got == row["expected"]
        per_route[row["expected"]]["right" if ok else "wrong"] += 1
        per_language[row["language"]]["right" if ok else "wrong"] += 1
        per_split[row["split"]]["right" if ok else "wrong"] += 1
        if not ok:
            misses.append(f"  {row['expected']:>17} <- {got:<22} {row['text']}")
    await parser.aclose()
    await encoder.aclose()

    def accuracy(c: Counter[str]) -> str:
        total = c["right"] + c["wrong"]
        return f"{c['right']}/{total} ({100 * c['right'] / total:.0f}%)"

    print(f"held-out sales routing ({'without' if without_layer else 'with'} the query layer)")
    for route in sorted(per_route):
        print(f"  {route:>17}: {accuracy(per_route[route])}")
    for language in sorted(per_language):
        print(f"  {language:>17}: {accuracy(per_language[language])}")
    for split in sorted(per_split):
        print(f"  {'split ' + split:>17}: {accuracy(per_split[split])}")
    total: Counter[str] = sum(per_route.values(), Counter())
    print(f"  {'all':>17}: {accuracy(total)}")
    print("misses (expected <- got):")
    print("\n".join(misses) or "  none")
    return {
        "layer": not without_layer,
        "accuracy": round(total["right"] / (total["right"] + total["wrong"]), 3),
        "per_route": {r: accuracy(c) for r, c in sorted(per_route.items())},
        "per_language": {r: accuracy(c) for r, c in sorted(per_language.items())},
        "per_split": {r: accuracy(c) for r, c in sorted(per_split.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=ROOT / "var" / "models" / "nlu")
    parser.add_argument("--without-layer", action="store_true", help="the routing before issue 25")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.model_dir, args.without_layer)), ensure_ascii=False))


if __name__ == "__main__":
    main()

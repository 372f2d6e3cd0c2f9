"""The issue's "done means", end to end: the web chat, the real NLU trained on nlu/data, the SQL demo backend.

Replies come from the per-outcome templates (no reply model), so the assertions can name exact facts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.ml import warm_models
from bot.storage.tables import InventoryChangeRow, InventoryRow
from tests.conftest import MakeRuntime
from tests.fakes.built_once import built_once
from tests.fakes.remembering_encoder import real_encoder

# one worker runs them all (tests/conftest.py groups the users of the shared encoder): the model they share
# is trained once, and no other worker waits for it
pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="session")
def nlu_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nlu.train import ensure_trained

    def train(path: Path) -> None:  # on the encoder the tests then parse with (loaded once, not twice)
        ensure_trained(model_dir=path, progress=False, sync_encoder=real_encoder())

    return built_once(tmp_path_factory, "demo-nlu-model", train)


@pytest.fixture(scope="session")
def shared_encoder() -> Any:
    """The real encoder, shared with the other tests of this process: the handbook and industries are
    encoded once, not once per test (tests.fakes.remembering_encoder)."""
    return real_encoder()


@pytest.fixture
async def demo(make_runtime: MakeRuntime, nlu_model_dir: Path, shared_encoder: Any) -> Any:
    from dialogue.actions.registry import default_actions
    from dialogue.nlg.renderer import build_renderer
    from nlu.encoder import BatchedEncoder
    from nlu.parser import load_parser

    encoder = BatchedEncoder(shared_encoder, max_wait_ms=2, max_size=32)

    def parser(names: Any) -> Any:
        return load_parser(nlu_model_dir, encoder=encoder, name_lookup=names)

    runtime = await make_runtime(
        make_parser=parser,
        renderer=build_renderer(data_dir=Path("dialogue/data"), model=None),
        actions=default_actions(embedder=encoder, faq_threshold=0.40),
    )
    # warm, as `opsbot run` is before it reports ready: the knowledge index is built before the first
    # question, not within the web chat's reply timeout (the suite's other worker shares the cores)
    await warm_models(runtime.models)
    return runtime


async def post(runtime: Any, text: str, supplier_id: str | None, sender: str) -> list[dict[str, Any]]:
    transport = httpx.ASGITransport(app=runtime.asgi, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        body = {"sender": sender, "text": text, "supplier_id": supplier_id}
        r = await client.post("/web/messages", json=body)
    assert r.status_code == 200, r.text
    replies: list[dict[str, Any]] = r.json()["replies"]
    return replies


async def say(runtime: Any, text: str, supplier_id: str | None = "SUP-001", sender: str = "demo") -> str:
    return "\n".join(x["text"] for x in await post(runtime, text, supplier_id, sender))


async def test_order_status_is_real_and_scoped(demo: Any) -> None:
    reply = await say(demo, "where is PO-1001?")
    assert "PO-1001" in reply and "DHL Express" in reply and "JD014600003721" in reply
    other = await say(demo, "where is PO-1001?", supplier_id="SUP-002", sender="other")
    missing = await say(demo, "where is PO-9999?", supplier_id="SUP-002", sender="other")
    assert other == missing.replace("PO-9999", "PO-1001")  # another supplier's PO == a missing PO
    assert "DHL" not in other


async def test_chinese_stock_update_asks_then_writes(demo: Any) -> None:
    ask = await say(demo, "把AB-1020的库存改成450件")
    assert "AB-1020" in ask and "450" in ask
    async with demo.sessionmaker() as s:
        assert (await s.get(InventoryRow, "AB-1020")).quantity == 120  # nothing written before yes
    done = await say(demo, "是")
    assert "450" in done
    async with demo.sessionmaker() as s:
        assert (await s.get(InventoryRow, "AB-1020")).quantity == 450
        change = (await s.execute(select(InventoryChangeRow))).scalar_one()
    assert change.old_quantity == 120 and change.changed_by == "web:demo"


async def test_payment_and_policy_and_out_of_scope(demo: Any) -> None:
    paid = await say(demo, "when will INV-2002 be paid?")
    assert "INV-2002" in paid
    terms = await say(demo, "what are your payment terms?")
    assert "30" in terms
    first = await post(demo, "tell me a joke about cats", "SUP-001", "demo")
    second = await post(demo, "what's the weather like in Paris tomorrow?", "SUP-001", "demo")
    assert [r["metadata"]["outcome"] for r in first] == ["out_of_scope"]
    # the second miss in a row offers a person, with yes/no buttons
    assert [r["metadata"]["outcome"] for r in second] == ["out_of_scope_offer_human"]
    assert [b["value"] for b in second[0]["buttons"]] == ["confirm:yes", "confirm:no"]

"""The console with a language model: the escalation shows its summary, and "Suggest a reply" fills the
agent's reply box without sending anything; with the model off neither is offered."""

from __future__ import annotations

from dialogue.handoff.service import HandoffService
from dialogue.llm.gate import ModelGate
from dialogue.settings import HandoffSettings
from tests.adapters.web.test_console import Desk, MemoryConsole, console_client
from tests.dialogue.handoff.test_agent_help import Model, helpful
from tests.fakes.backend import FakeBackend

SUMMARY = ["The supplier asks for a person.", "Nothing else is known yet.", "Open: what they need."]
DRAFT = "Hello, I am here to help. What can I do for you?"


class AssistedConsole(MemoryConsole):
    def __init__(self, model: Model) -> None:
        super().__init__()
        self.service = HandoffService(
            store=self.store,
            backend=FakeBackend(),
            clock=self.clock,
            settings=HandoffSettings(),
            desk=None,
            llm=ModelGate(model, uses=("assist",), timeout_seconds=1),
        )


async def test_the_console_shows_the_summary_and_a_draft_that_only_the_agent_can_send() -> None:
    model = Model(helpful(summary=SUMMARY, draft=DRAFT))
    console = AssistedConsole(model)
    esc_id = await console.supplier_asks_for_a_person()
    await console.service.help.settle()
    client = console_client(console)
    ann = Desk(client, "Ann")

    detail = client.get(f"/agent/api/escalations/{esc_id}").json()
    assert detail["summary"] == SUMMARY and detail["suggests"] is True

    ann.do("claim", esc_id)
    told = len(console.to_supplier())
    suggested = ann.do("suggest", esc_id)
    assert suggested.status_code == 200 and suggested.json() == {"ok": True, "draft": DRAFT}
    assert len(console.to_supplier()) == told  # a draft is sent by nobody
    assert "agent_message" not in [e.kind for e in await console.store.events(esc_id)]

    assert ann.do("reply", esc_id, DRAFT).json()["ok"]  # the agent's click sends it
    assert console.to_supplier()[told:] == [DRAFT]


async def test_a_draft_with_an_invented_figure_is_not_offered() -> None:
    console = AssistedConsole(Model(helpful(summary=SUMMARY, draft="Your refund of USD 500 is on its way.")))
    esc_id = await console.supplier_asks_for_a_person()
    refused = Desk(console_client(console), "Ann").do("suggest", esc_id)
    assert refused.status_code == 409 and "no suggestion" in refused.json()["error"]


async def test_with_the_model_off_the_console_offers_neither() -> None:
    console = MemoryConsole()
    esc_id = await console.supplier_asks_for_a_person()
    client = console_client(console)
    detail = client.get(f"/agent/api/escalations/{esc_id}").json()
    assert detail["summary"] == [] and detail["suggests"] is False
    assert Desk(client, "Ann").do("suggest", esc_id).status_code == 404
    assert console.to_supplier() == []

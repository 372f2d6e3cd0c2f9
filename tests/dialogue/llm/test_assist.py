"""Agent help and translation: the model's drafts pass only with the conversation's own ids, amounts
and dates, and a translation that changes a number is refused."""

from __future__ import annotations

import json

from dialogue.llm.assist import conversation_summary, suggest_reply, translate, translation_problem
from dialogue.llm.gate import ModelGate
from tests.dialogue.llm.conftest import CountingObserver, ScriptedModel

TURNS = [
    ("supplier", "Where is the payment for INV-2026-0042? It was due on 2026-11-20."),
    ("bot", "Invoice INV-2026-0042 for USD 12,500.00 is scheduled."),
    ("supplier", "I want to talk to a person, we need the money this week."),
]
RECORDS = ["INV-2026-0042: scheduled, USD 12,500.00, due 2026-11-20"]


def gate(answer: str, *uses: str) -> tuple[ModelGate, ScriptedModel, CountingObserver]:
    model, observer = ScriptedModel(answer), CountingObserver()
    return ModelGate(model, uses=uses, timeout_seconds=1, observer=observer), model, observer


async def test_a_summary_with_the_conversations_own_figures_is_kept() -> None:
    lines = [
        "Supplier asks when INV-2026-0042 will be paid.",
        "USD 12,500.00, due 2026-11-20, scheduled.",
        "Wants a person; needs the money this week.",
    ]
    g, model, _ = gate(json.dumps({"lines": lines}), "assist")
    assert await conversation_summary(g, TURNS, RECORDS) == tuple(lines)
    assert "INV-2026-0042: scheduled" in model.calls[0][1][1].content


async def test_a_summary_with_an_amount_from_nowhere_is_refused() -> None:
    lines = ["Supplier asks about INV-2026-0042.", "USD 15,000.00 outstanding.", "Wants a person."]
    g, _, observer = gate(json.dumps({"lines": lines}), "assist")
    assert await conversation_summary(g, TURNS, RECORDS) is None
    assert observer.rejections == [("assist", "summary_invented_number")]


async def test_a_suggested_reply_is_a_draft_in_the_suppliers_language() -> None:
    g, _, _ = gate("您好，发票 INV-2026-0042（USD 12,500.00）已安排付款，到期日为 2026-11-20。", "assist")
    draft = await suggest_reply(g, TURNS, RECORDS, language="zh")
    assert draft is not None and draft.startswith("您好")
    english, _, _ = gate("Invoice INV-2026-0042 is scheduled.", "assist")
    assert await suggest_reply(english, TURNS, RECORDS, language="zh") is None


async def test_a_suggested_reply_that_promises_a_new_date_is_refused() -> None:
    g, _, observer = gate("INV-2026-0042 will be paid on 2026-12-01.", "assist")
    assert await suggest_reply(g, TURNS, RECORDS) is None
    assert observer.rejections == [("assist", "reply_invented_number")]


async def test_a_changed_number_in_a_translation_is_refused() -> None:
    g, _, observer = gate("PO-10234: we shipped 405 units on 2026-11-20.", "translate")
    translated, why = await translate(g, "PO-10234：我们已于2026-11-20发货450件。", target="en")
    assert translated is None and why == "changed_number"
    assert observer.rejections == [("translate", "changed_number")]
    good, _, _ = gate("PO-10234: we shipped 450 units on 2026-11-20.", "translate")
    assert await translate(good, "PO-10234：我们已于2026-11-20发货450件。", target="en") == (
        "PO-10234: we shipped 450 units on 2026-11-20.",
        "",
    )


def test_a_dropped_id_is_a_changed_translation() -> None:
    assert translation_problem("请查一下 PO-10234", "Please check the order", "en")[0] == "changed_number"
    assert translation_problem("Ship AB-1020 and AB-1021", "发货 AB-1020 和 AB-1021", "zh") == ("", [])


async def test_with_assist_off_nothing_is_asked() -> None:
    g, model, _ = gate("x", "listing")
    assert await conversation_summary(g, TURNS) is None and await suggest_reply(g, TURNS) is None
    assert await translate(g, "你好", target="en") == (None, "off") and model.calls == []

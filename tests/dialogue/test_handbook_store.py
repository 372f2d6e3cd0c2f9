"""A handbook sync replaces the demo's, and the next question is answered from the new one, citing it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.actions.registry import default_actions
from dialogue.embedding import HashingEmbedder
from dialogue.handbook import HandbookError
from dialogue.handbook_store import HandbookReloader, build_knowledge_base, load_synced, sync_handbook
from tests.fakes.conversation import Conversation

PAYMENTS_EN = """# Payments

## Payment terms {#acme_terms}

offer: Acme's payment terms

Acme pays every invoice 45 days after the end of the month of delivery.

Questions:
- When does Acme pay my invoice?
- What are the payment terms?
"""

PAYMENTS_ZH = """# 付款

## 付款条件 {#acme_terms}

Acme 在交货当月月底后 45 天支付每张发票。

问题：
- Acme 什么时候付我的发票？
- 付款条件是什么？
"""


def _company_handbook(root: Path) -> Path:
    root.mkdir()
    (root / "payments.md").write_text(PAYMENTS_EN, encoding="utf-8")
    (root / "payments.zh.md").write_text(PAYMENTS_ZH, encoding="utf-8")
    return root


async def _chat(store: Path) -> Conversation:
    """A conversation whose knowledge base follows the synced handbook in `store`, as the bot's does."""
    embedder = HashingEmbedder()
    synced = load_synced(store, encoder="hashing")
    assert synced is not None
    kb = build_knowledge_base(synced.entries, embedder, threshold=0.36, vectors=synced.vectors)
    reloader = HandbookReloader(kb, store, embedder, encoder="hashing", version=synced.version)
    actions = default_actions(
        embedder=embedder, kb=kb, refresh_knowledge=reloader.refresh, faq_threshold=0.36
    )
    return Conversation(actions=actions)


async def test_a_sync_replaces_the_demo_handbook_at_the_next_turn(tmp_path: Path) -> None:
    store = tmp_path / "knowledge"
    demo, _ = await sync_handbook(None, store, HashingEmbedder(), encoder="hashing")
    chat = await _chat(store)
    terms = await chat.one("What are your payment terms?")
    assert terms.outcome == "faq_answer" and "net 30" in str(terms.facts["answer"])
    assert str(terms.facts["answer"]).endswith("— Handbook: Payments and invoices › Payment terms")

    company, changed = await sync_handbook(
        _company_handbook(tmp_path / "acme"), store, HashingEmbedder(), encoder="hashing"
    )
    assert changed and company.version != demo.version
    assert [(e.id, e.language, e.source) for e in company.entries] == [
        ("acme_terms", "en", "payments.md"),
        ("acme_terms", "zh", "payments.zh.md"),
    ]

    english = await chat.one(
        "What are the payment terms at Acme?"
    )  # no restart: the next turn reads the sync
    assert english.outcome == "faq_answer"
    assert str(english.facts["answer"]) == (
        "Acme pays every invoice 45 days after the end of the month of delivery.\n"
        "— Handbook: Payments › Payment terms"
    )
    chinese = await chat.one("Acme 的付款条件是什么？")
    assert chinese.outcome == "faq_answer" and chinese.language == "zh"
    assert (
        str(chinese.facts["answer"]) == "Acme 在交货当月月底后 45 天支付每张发票。\n——来源：付款 › 付款条件"
    )
    gone = await chat.one("how should I label the cartons?")  # a demo policy: no longer in the handbook
    assert "GS1-128" not in str(gone.facts.get("answer", ""))


async def test_the_same_sync_twice_changes_nothing(tmp_path: Path) -> None:
    folder = _company_handbook(tmp_path / "acme")
    first, changed = await sync_handbook(folder, tmp_path / "k", HashingEmbedder(), encoder="hashing")
    again, changed_again = await sync_handbook(folder, tmp_path / "k", HashingEmbedder(), encoder="hashing")
    assert changed and not changed_again and first.version == again.version


class Counting:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self._inner = HashingEmbedder()

    async def encode(self, texts: list[str]) -> object:
        self.texts.extend(texts)
        return self._inner.encode_sync(texts)


async def test_synced_vectors_are_reused_while_the_encoder_is_the_same(tmp_path: Path) -> None:
    folder = _company_handbook(tmp_path / "acme")
    store = tmp_path / "k"
    await sync_handbook(folder, store, Counting(), encoder="enc-1")  # type: ignore[arg-type]
    synced = load_synced(store, encoder="enc-1")
    assert synced is not None and synced.vectors["retrieval"]
    counting = Counting()
    kb = build_knowledge_base(synced.entries, counting, threshold=0.3, vectors=synced.vectors)  # type: ignore[arg-type]
    await kb.warm()
    assert counting.texts == []  # entries from the store, not encoded again
    other = load_synced(store, encoder="enc-2")
    assert other is not None and not other.vectors  # another encoder: its vectors are not used


async def test_a_store_edited_by_hand_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "k"
    handbook, _ = await sync_handbook(
        _company_handbook(tmp_path / "acme"), store, HashingEmbedder(), encoder="h"
    )
    path = store / f"{handbook.version}.json"
    path.write_text(path.read_text(encoding="utf-8").replace("45 days", "5 days"), encoding="utf-8")
    with pytest.raises(HandbookError, match="changed by hand"):
        load_synced(store, encoder="h")
    assert load_synced(tmp_path / "never-synced", encoder="h") is None

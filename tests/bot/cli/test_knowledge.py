"""`opsbot knowledge sync`: the operator's handbook folder becomes the knowledge base."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from typer.testing import CliRunner

import nlu.encoder
from bot.cli import app
from dialogue.embedding import HashingEmbedder
from dialogue.handbook_store import current_version, load_synced

runner = CliRunner()


class _Encoder:
    """Stands in for the sentence encoders: no model is loaded in these tests."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._inner = HashingEmbedder()

    async def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._inner.encode_sync(texts)

    async def aclose(self) -> None:
        return None


@pytest.fixture
def handbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(nlu.encoder, "load_encoder", lambda *a, **k: None)
    monkeypatch.setattr(nlu.encoder, "BatchedEncoder", _Encoder)
    monkeypatch.delenv("OPSBOT_CONFIG", raising=False)
    monkeypatch.setenv("OPSBOT_KNOWLEDGE__STORE", str(tmp_path / "store"))
    folder = tmp_path / "handbook"
    (folder / "en").mkdir(parents=True)
    (folder / "zh").mkdir()
    (folder / "en" / "hours.md").write_text("# Support\n\n## Hours\n\nNine to five.\n\n## Empty\n", "utf-8")
    (folder / "zh" / "hours.md").write_text("# 客服\n\n## 时间 {#hours}\n\n九点到五点。\n", "utf-8")
    monkeypatch.setenv("OPSBOT_KNOWLEDGE__DIR", str(folder))
    return folder


def test_sync_reads_the_configured_folder_and_stores_it(handbook: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["knowledge", "sync"])
    assert result.exit_code == 0, result.output
    assert "2 entries (1 en, 1 zh) in 2 files" in result.stdout
    assert "section 'Empty' has no text: skipped" in result.stderr
    synced = load_synced(tmp_path / "store", encoder="minilm|e5|onnx")
    assert synced is not None and synced.folder == str(handbook)
    assert [(e.id, e.language, e.citation) for e in synced.entries] == [
        ("hours", "en", "Support › Hours"),
        ("hours", "zh", "客服 › 时间"),
    ]
    again = runner.invoke(app, ["knowledge", "sync"])
    assert again.exit_code == 0 and "(unchanged)" in again.stdout


def test_sync_of_a_folder_without_entries_fails_and_keeps_the_current_handbook(
    handbook: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["knowledge", "sync"]).exit_code == 0
    before = current_version(tmp_path / "store")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.md").write_text("Only words, no headings.\n", "utf-8")
    result = runner.invoke(app, ["knowledge", "sync", str(empty)])
    assert result.exit_code == 1
    assert "no entries" in result.stderr
    assert current_version(tmp_path / "store") == before


async def test_a_public_set_in_a_language_folder_is_scored_in_that_language(tmp_path: Path) -> None:
    """`evaluate knowledge --public-dir .../xquad_r/zh`: paragraphs, no questions, asked in Chinese."""
    from bot.cli.knowledge import _public

    folder = tmp_path / "xquad_r" / "zh"
    folder.mkdir(parents=True)
    paragraphs = [
        {"id": "p1", "questions": [], "answer": "黑豹队的防守只丢了308分。他们以24次拦截领先联盟。"},
        {"id": "p2", "questions": [], "answer": "这座桥建于1932年。它横跨港口，全长一千一百米。"},
    ]
    (folder / "faq.jsonl").write_text(
        "\n".join(json.dumps(p, ensure_ascii=False) for p in paragraphs), "utf-8"
    )
    (folder / "queries.csv").write_text(
        "text,faq_id\n黑豹队丢了多少分？,p1\n这座桥是哪一年建的？,p2\n", "utf-8"
    )
    result = await _public(folder, HashingEmbedder(), 0.1)
    assert result["set"] == "xquad_r/zh" and result["n"] == 2 and result["top1"] == 1.0

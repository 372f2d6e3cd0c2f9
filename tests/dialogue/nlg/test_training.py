from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dialogue.nlg.corpus import data_hash, model_input
from dialogue.nlg.model import ModelShape, ReplyModel
from dialogue.nlg.renderer import load_renderer
from dialogue.nlg.settings import NlgSettings
from dialogue.nlg.training import TrainingArgs, ensure_trained, saved_hash
from tests.dialogue.nlg.conftest import DATA_DIR

pytestmark = pytest.mark.slow


def test_tiny_training_saves_and_loads(tiny_model_dir: Path) -> None:
    meta = json.loads((tiny_model_dir / "opsbot_nlg.json").read_text())
    assert meta["steps"] == 4
    assert saved_hash(tiny_model_dir) == meta["data_hash"]
    model = ReplyModel.from_pretrained(tiny_model_dir, max_new_tokens=8)
    out = model.generate([model_input("greeting", (), "en"), model_input("stock_out", ("sku",), "zh")])
    assert len(out) == 2 and all(isinstance(o, str) for o in out)
    tok = model.tokenizer
    assert len(tok.tokenize("[order_id]")) == 1 and len(tok.tokenize("<order_shipped>")) == 1
    text = "订单 [order_id] 已发货。"
    assert tok.decode(tok(text)["input_ids"], skip_special_tokens=True) == text


def test_ensure_trained_retrains_only_when_data_changes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for f in DATA_DIR.iterdir():
        if f.suffix == ".yml":
            (data / f.name).write_bytes(f.read_bytes())
    args = TrainingArgs(
        data_dir=data,
        model_dir=tmp_path / "m",
        minutes=1.0,
        max_steps=1,
        batch_size=4,
        shape=ModelShape(
            d_model=16, d_ff=32, num_layers=1, num_decoder_layers=1, num_heads=1, d_kv=16, vocab_size=300
        ),
    )
    assert ensure_trained(args) is True
    assert ensure_trained(args) is False
    before = data_hash(data, args.recipe())
    with (data / "replies_en.yml").open("a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    assert data_hash(data, args.recipe()) != before
    assert ensure_trained(args) is True


def _settings(model_dir: Path) -> NlgSettings:
    return NlgSettings(
        model_dir=model_dir,
        data_dir=DATA_DIR,
        max_new_tokens=12,
        min_token_prob=0.35,
        batch_max_wait_ms=2.0,
        batch_max_size=8,
        cache_size=16,
        train_minutes=1.0,
        train_steps=2,
        train_threads=1,
    )


async def test_load_renderer_with_trained_model_never_sends_ungrounded_text(tiny_model_dir: Path) -> None:
    renderer = load_renderer(_settings(tiny_model_dir))
    assert renderer.model is not None
    reply = await renderer.render("order_not_found", {"order_id": "PO-1"}, language="en")
    assert "PO-1" in reply.text  # a barely trained model is rejected and the template is used
    await renderer.aclose()
    missing = load_renderer(_settings(tiny_model_dir.parent / "absent"))
    assert missing.model is None


def test_evaluate_cli_prints_json(tiny_model_dir: Path, tmp_path: Path) -> None:
    from bot.cli import app  # registers every command

    config = tmp_path / "config.yaml"
    config.write_text(
        f"nlg:\n  model_dir: {tiny_model_dir}\n  data_dir: {DATA_DIR}\n  max_new_tokens: 8\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "replies",
            "--config",
            str(config),
            "--json",
            "--latency-samples",
            "3",
            "--concurrency",
            "4",
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for key in (
        "bleu",
        "chrf",
        "slot_accuracy",
        "fallback_rate",
        "hallucination_rate",
        "latency_ms_p50",
        "latency_ms_p95",
        "throughput_batched_rps",
        "batch_speedup",
    ):
        assert set(figures[key]) == {"en", "zh"}, key
    assert figures["hallucination_rate"] == {"en": 0.0, "zh": 0.0}
    assert figures["missing_glossary"]["words"] == []  # every attribute word has a Chinese gloss


def test_each_row_stops_at_its_outcome_budget(tiny_model_dir: Path) -> None:
    meta = json.loads((tiny_model_dir / "opsbot_nlg.json").read_text())
    assert meta["max_target_tokens_by_outcome"]["greeting|en"] > 0
    model = ReplyModel.from_pretrained(tiny_model_dir)
    short = model_input("greeting", (), "en")
    long = model_input("sales_summary", ("period", "order_count", "revenue"), "en")
    model.budgets = {"greeting|en": 3, "sales_summary|en": 40}
    model.max_new_tokens = 40
    assert model._fast is not None
    results = []
    greedy = model._fast.greedy

    def recording(*args: Any, **kwargs: Any) -> Any:
        results.append(greedy(*args, **kwargs))
        return results[-1]

    model._fast.greedy = recording  # type: ignore[method-assign]
    model.generate([short, long])  # a barely trained model runs on; the budget cuts it
    pad = int(model.model.config.pad_token_id)
    generated = results[0].sequences[:, 1 + model.decoder_prompt_tokens :]
    lengths = [int((row != pad).sum()) for row in generated]
    assert lengths[0] <= 3 < lengths[1]

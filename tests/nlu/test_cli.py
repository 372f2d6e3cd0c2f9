"""`opsbot evaluate nlu --json` and `opsbot parse --json` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app  # registers every command

pytestmark = pytest.mark.slow


@pytest.fixture
def config_file(tmp_path: Path, trained_model_dir: Path, small_data_dir: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"nlu:\n  model_dir: {trained_model_dir}\n  data_dir: {small_data_dir}\n", encoding="utf-8"
    )
    return path


def test_evaluate_json_and_report(config_file: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "tiny.csv"
    csv_path.write_text(
        "text,intent\n"
        "where is my PO 4471,order_status\n"
        "has invoice 2231 been paid,payment_status\n"
        "发票2231付款了吗,payment_status\n"
        "what's the weather in Rome,out_of_scope\n"
        "thanks a lot,thanks\n",
        encoding="utf-8",
    )
    report = tmp_path / "report"
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "nlu",
            "--test",
            str(csv_path),
            "--json",
            "--report",
            str(report),
            "-c",
            str(config_file),
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    for key in (
        "accuracy",
        "macro_f1",
        "in_scope_accuracy",
        "oos_recall",
        "n",
        "per_intent",
        "zh_accuracy",
        "en_accuracy",
    ):
        assert key in metrics
    assert metrics["n"] == 5
    assert 0.0 <= metrics["accuracy"] <= 1.0
    for name in ("per_intent.csv", "misclassified.csv", "confusion_matrix.png", "confidence_histogram.png"):
        assert (report / name).exists()


def test_evaluate_accepts_category_column(config_file: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "cat.csv"
    csv_path.write_text("text,category\nhello there,greeting\ntell me a joke,oos\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["evaluate", "nlu", "--test", str(csv_path), "--json", "-c", str(config_file)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["n"] == 2


def test_parse_json(config_file: Path) -> None:
    result = CliRunner().invoke(app, ["parse", "status of po-31337?", "--json", "-c", str(config_file)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["intent"] == "order_status"
    assert data["entities"][0]["value"] == "PO-31337"
    assert data["language"] == "en" and data["sentiment"] in ("negative", "neutral", "positive")

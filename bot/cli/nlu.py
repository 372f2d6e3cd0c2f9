"""NLU commands: `opsbot parse`, `opsbot train nlu`, `opsbot evaluate nlu`."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from bot.cli.base import ConfigOption, app, command, evaluate_app, load, train_app

logger = logging.getLogger(__name__)


def _jsonable(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@command(app, "parse")
def parse_command(
    text: str = typer.Argument(..., help="The message to parse."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    config: Path | None = ConfigOption,
) -> None:
    """Parse one message: intent, confidence, ranking, entities, language, sentiment."""
    from nlu.parser import load_parser_for
    from nlu.train import ensure_trained_for

    settings = load(config).settings.nlu
    ensure_trained_for(settings, progress=not as_json)

    async def run() -> Any:
        parser = load_parser_for(settings)
        try:
            return await parser.parse(text)
        finally:
            await parser.aclose()

    result = asyncio.run(run())
    data = _jsonable(asdict(result))
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    flag = " (ambiguous)" if result.ambiguous else ""
    typer.echo(f"intent:     {result.intent}{flag}  confidence={result.confidence:.3f}")
    typer.echo("ranking:    " + ", ".join(f"{name} {p:.3f}" for name, p in result.ranking))
    typer.echo(f"language:   {result.language}")
    typer.echo(f"sentiment:  {result.sentiment} ({result.sentiment_score:+.2f})")
    if not result.entities:
        typer.echo("entities:   -")
    for entity in result.entities:
        unit = f" {entity.unit}" if entity.unit else ""
        typer.echo(
            f"entity:     {entity.type:<11} {entity.text!r} [{entity.start}:{entity.end}] "
            f"-> {entity.value!r}{unit}"
        )


@command(train_app, "nlu")
def train_nlu_command(
    config: Path | None = ConfigOption,
    force: bool = typer.Option(False, "--force", help="Retrain even if the model is up to date."),
) -> None:
    """Train the intent classifier from nlu/data/ (saves model, data hash and encoder id)."""
    from nlu.train import needs_training_for, train_model_for

    settings = load(config).settings.nlu
    if not force and not needs_training_for(settings):
        typer.echo(f"NLU model in {settings.model_dir} is up to date (use --force to retrain)")
        return
    result = train_model_for(settings, progress=True)
    t = result.tuning
    typer.echo(
        f"trained on {result.n_examples} examples in {result.seconds:.1f}s -> {result.model_dir}\n"
        f"temperature={t.temperature:.3f} oos min_score={t.thresholds.min_score:.3f} "
        f"(held-out in-scope acc {t.heldout_in_scope_accuracy:.3f}, oos recall {t.heldout_oos_recall:.3f})"
    )


@command(evaluate_app, "nlu")
def evaluate_nlu_command(
    test: Path = typer.Option(
        ..., "--test", exists=True, dir_okay=False, help="CSV with text and intent/category."
    ),
    as_json: bool = typer.Option(False, "--json", help="End with one JSON line of metrics."),
    report: Path | None = typer.Option(None, "--report", help="Write tables and plots to this directory."),
    config: Path | None = ConfigOption,
) -> None:
    """Evaluate the NLU model on a labelled CSV (an out_of_scope row is right when predicted out_of_scope)."""
    from nlu.evaluate import compute_metrics, predict_all, read_labelled_csv, write_report
    from nlu.parser import load_parser_for
    from nlu.train import ensure_trained_for

    settings = load(config).settings.nlu
    ensure_trained_for(settings, progress=not as_json)
    rows = read_labelled_csv(test)

    async def run() -> Any:
        parser = load_parser_for(settings)
        try:
            return await predict_all(parser, rows)
        finally:
            await parser.aclose()

    started = time.perf_counter()
    outcomes = asyncio.run(run())
    metrics = compute_metrics(outcomes)
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    if report is not None:
        for path in write_report(outcomes, metrics, report):
            if not as_json:
                typer.echo(f"wrote {path}")
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False))
        return
    typer.echo(
        f"n={metrics['n']} accuracy={metrics['accuracy']} macro_f1={metrics['macro_f1']} "
        f"in_scope_accuracy={metrics['in_scope_accuracy']} oos_recall={metrics['oos_recall']} "
        f"en_accuracy={metrics['en_accuracy']} zh_accuracy={metrics['zh_accuracy']}"
    )
    for label, m in metrics["per_intent"].items():
        typer.echo(
            f"  {label:<20} p={m['precision']:.3f} r={m['recall']:.3f} f1={m['f1']:.3f} n={m['support']}"
        )

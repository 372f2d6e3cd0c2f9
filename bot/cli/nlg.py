"""`opsbot train replies` and `opsbot evaluate replies`: the reply model (dialogue/nlg)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bot.cli.base import ConfigOption, command, evaluate_app, fail, load, train_app


@command(train_app, "replies")
def train_replies(
    config_path: Path | None = ConfigOption,
    minutes: float | None = typer.Option(
        None,
        "--minutes",
        help="Time cap (default: nlg.train_minutes); training runs nlg.train_steps steps within it.",
    ),
    if_changed: bool = typer.Option(
        False, "--if-changed", help="Train only when the corpus or recipe changed since the saved model."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Train the reply model (tokenizer + small T5) from scratch on dialogue/data; saves to nlg.model_dir."""
    from dialogue.nlg.training import ensure_trained, saved_hash, training_args

    settings = load(config_path).settings.nlg
    args = training_args(settings, minutes=minutes)
    trained = ensure_trained(args, progress=not quiet, force=not if_changed)
    if not trained:
        typer.echo(
            f"reply model is up to date in {args.model_dir} (data {str(saved_hash(args.model_dir))[:12]})"
        )
        return
    meta = json.loads((args.model_dir / "opsbot_nlg.json").read_text(encoding="utf-8"))
    typer.echo(
        f"reply model saved to {args.model_dir}: {meta['steps']} steps ({meta['epochs']:.1f} epochs) "
        f"in {meta['seconds']:.0f} s, loss {meta['final_loss']:.3f}, {meta['parameters']:,} parameters, "
        f"{meta['size_bytes'] / 1e6:.1f} MB"
    )


@command(evaluate_app, "replies")
def evaluate_replies(
    config_path: Path | None = ConfigOption,
    as_json: bool = typer.Option(False, "--json", help="Print only the JSON line."),
    model: Path | None = typer.Option(
        None, "--model", help="A checkpoint to evaluate instead of the configured one."
    ),
    latency_samples: int = typer.Option(40, "--latency-samples", min=1),
    concurrency: int = typer.Option(32, "--concurrency", min=1),
) -> None:
    """Score the reply model on the held-out split; the last stdout line is JSON."""
    from dialogue.nlg.evaluation import evaluate_model, missing_glossary_text
    from dialogue.nlg.model import ReplyModel
    from dialogue.nlg.training import DEFAULT_MAX_VARIANTS, saved_hash, saved_meta

    settings = load(config_path).settings.nlg
    path = model or (Path(settings.model) if settings.model else settings.model_dir)
    if model is None and not settings.model and saved_hash(path) is None:
        raise fail(f"no trained reply model in {path}; run `opsbot train replies`")
    reply_model = ReplyModel.from_pretrained(
        path,
        num_beams=settings.num_beams,
        max_new_tokens=settings.max_new_tokens,
        min_token_prob=settings.min_token_prob,
    )
    result = evaluate_model(
        reply_model,
        settings.data_dir,
        latency_samples=latency_samples,
        concurrency=concurrency,
        batch_max_wait_ms=settings.batch_max_wait_ms,
        max_variants=int(saved_meta(path).get("max_variants", DEFAULT_MAX_VARIANTS)),  # type: ignore[call-overload]
    )
    result["model"] = str(path)
    result["model_size_mb"] = round(reply_model.size_bytes / 1e6, 2)
    if not as_json:
        for key, value in result.items():
            if isinstance(value, dict) and key != "missing_glossary":
                typer.echo(f"{key:28s} " + "  ".join(f"{k}={v}" for k, v in value.items()))
        typer.echo(f"{'split':28s} {result['split']}")
        typer.echo(f"{'missing glossary':28s} {missing_glossary_text(result['missing_glossary'])}")
    typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=True))

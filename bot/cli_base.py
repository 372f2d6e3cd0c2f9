"""The typer application objects; command modules register on them (see bot/cli.py)."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="opsbot",
    help="opsbot: a chatbot for B2B e-commerce operations (Telegram, Slack, web chat).",
    no_args_is_help=True,
    add_completion=False,
)
train_app = typer.Typer(help="Train models (NLU intent classifier, reply model).", no_args_is_help=True)
evaluate_app = typer.Typer(help="Evaluate models on held-out data.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations and demo data.", no_args_is_help=True)
suppliers_app = typer.Typer(help="Supplier accounts and account linking.", no_args_is_help=True)
telegram_app = typer.Typer(help="Telegram bot set-up.", no_args_is_help=True)

app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(db_app, name="db")
app.add_typer(suppliers_app, name="suppliers")
app.add_typer(telegram_app, name="telegram")

ConfigOption = typer.Option(
    None, "--config", "-c", help="Path of config.yaml (default: $OPSBOT_CONFIG or ./config.yaml)."
)

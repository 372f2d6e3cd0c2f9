"""`opsbot llm check`: is the configured language model there, how fast, and does structured output work."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from bot.cli.base import ConfigOption, app, command, fail, load

llm_app = typer.Typer(help="The optional language model (llm: in config.yaml).", no_args_is_help=True)
app.add_typer(llm_app, name="llm")


@command(llm_app, "check")
def llm_check(config_path: Path | None = ConfigOption) -> None:
    """Call the configured model once; report its latency and whether structured output works."""
    from bot.llm.check import check_model

    config = load(config_path)
    report = asyncio.run(check_model(config.settings.llm, api_key=config.secrets.LLM_API_KEY))
    if report is None:
        raise fail("llm.provider is off: set it to openai or local (config.yaml or OPSBOT_LLM__PROVIDER)")
    for line in report.lines():
        typer.echo(line)
    uses = ", ".join(config.settings.llm.uses) or "none (set llm.uses to switch a use on)"
    typer.echo(f"uses: {uses}")
    if not report.ok:
        raise typer.Exit(1)

"""`opsbot knowledge sync`: the handbook into the knowledge base; `opsbot evaluate knowledge`: knowledge
routing on a held-out CSV, and retrieval on a public FAQ set."""

from __future__ import annotations

import asyncio
import csv
import json
import time
from pathlib import Path
from typing import Any

import typer

from bot.cli.base import ConfigOption, app, command, evaluate_app, load

knowledge_app = typer.Typer(help="The handbook the bot answers from.", no_args_is_help=True)
app.add_typer(knowledge_app, name="knowledge")

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ROOT.parent / "shared" / "data" / "faq_public" / "cdc_covid_en"


def _public_language(folder: Path) -> str:
    """A public set's language: its folder's name where that is one (xquad_r/zh), else English."""
    from dialogue.faq import LANGUAGES

    return folder.name if folder.name in LANGUAGES else "en"


def _public_entries(folder: Path) -> list[Any]:
    """The set's entries; one without questions of its own (XQuAD-R's paragraphs) is its answer alone."""
    from dialogue.faq import FaqEntry

    language = _public_language(folder)
    entries = []
    for line in (folder / "faq.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            questions = tuple(item.get("questions") or ())
            entries.append(FaqEntry(item["id"], language, "public", questions, item["answer"]))
    return entries


async def _public(folder: Path, embedder: Any, answer: float) -> dict[str, Any]:
    """Retrieval over the public set's own entries: top-1, top-3, and right at the answer threshold."""
    from dialogue.faq import knowledge_base

    language = _public_language(folder)
    kb = knowledge_base(_public_entries(folder), embedder, threshold=answer)
    with (folder / "queries.csv").open(encoding="utf-8", newline="") as handle:
        queries = [(r["text"], r["faq_id"]) for r in csv.DictReader(handle)]
    top1 = top3 = answered = 0
    for text, want in queries:
        scores = await kb.entry_scores(text, language)
        ranked = kb.ranked_ids(scores, language)
        top1 += ranked[0] == want
        top3 += want in ranked[:3]
        answered += ranked[0] == want and float(scores.max()) >= answer
    n = len(queries)
    return {
        "set": f"{folder.parent.name}/{folder.name}" if folder.name == language else folder.name,
        "n": n,
        "top1": round(top1 / n, 4),
        "top3": round(top3 / n, 4),
        "answered_right_at_threshold": round(answered / n, 4),
    }


@command(knowledge_app, "sync")
def knowledge_sync_command(
    folder: Path | None = typer.Argument(
        None, help="A folder of Markdown files (default: knowledge.dir, else the demo's handbook)."
    ),
    config: Path | None = ConfigOption,
) -> None:
    """Read the handbook, split it by heading into entries, embed them and make them the knowledge base."""
    from bot.ml import encoder_key
    from dialogue.handbook import DEMO_HANDBOOK
    from dialogue.handbook_store import sync_handbook
    from nlu.encoder import BatchedEncoder, load_encoder

    settings = load(config).settings
    nlu, knowledge = settings.nlu, settings.knowledge
    source = folder or knowledge.dir or DEMO_HANDBOOK

    async def run() -> tuple[Any, bool]:
        encoder = BatchedEncoder(
            load_encoder(nlu.encoder, runtime=nlu.runtime, multilingual=nlu.multilingual, threads=nlu.threads)
        )
        try:
            return await sync_handbook(
                source, knowledge.store, encoder, encoder=encoder_key(nlu), level=knowledge.heading_level
            )
        finally:
            await encoder.aclose()

    handbook, changed = asyncio.run(run())
    for warning in handbook.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    counts = {lang: sum(e.language == lang for e in handbook.entries) for lang in ("en", "zh")}
    files = len({e.source for e in handbook.entries})
    typer.echo(
        f"handbook {handbook.version} from {source}: {len(handbook.entries)} entries "
        f"({counts['en']} en, {counts['zh']} zh) in {files} files"
        + ("" if changed else " (unchanged)")
        + f"; stored in {knowledge.store}"
    )


@command(evaluate_app, "knowledge")
def evaluate_knowledge_command(
    data: Path | None = typer.Option(
        None,
        "--data",
        exists=True,
        dir_okay=False,
        help="CSV text,faq_id[,language,split] (default: held-out).",
    ),
    split: str = typer.Option("", "--split", help="Only rows of this split (tune | test); default: all."),
    public: bool = typer.Option(False, "--public", help="Also report retrieval on the public FAQ set."),
    public_dir: Path = typer.Option(PUBLIC, "--public-dir", help="A faq.jsonl + queries.csv folder."),
    show_misses: bool = typer.Option(False, "--misses", help="Print the rows the bot got wrong."),
    as_json: bool = typer.Option(False, "--json", help="End with one JSON line of metrics."),
    config: Path | None = ConfigOption,
) -> None:
    """Score knowledge answers end to end (parser + knowledge base + routing, linked and not) and rank."""
    from bot.ml import knowledge_thresholds
    from dialogue.faq import knowledge_base
    from dialogue.handbook import DEMO_HANDBOOK, read_handbook
    from dialogue.knowledge_eval import HELDOUT, observe, read_rows, report, verdict_rows
    from nlu.encoder import BatchedEncoder, load_encoder
    from nlu.parser import load_parser_for
    from nlu.train import ensure_trained_for

    settings = load(config).settings
    ensure_trained_for(settings.nlu, progress=not as_json)
    thresholds = knowledge_thresholds(settings.dialogue)
    threshold = settings.dialogue.confidence_threshold
    rows = [r for r in read_rows(data or HELDOUT) if not split or r.split == split]

    async def run() -> dict[str, Any]:
        nlu = settings.nlu
        encoder = BatchedEncoder(
            load_encoder(nlu.encoder, runtime=nlu.runtime, multilingual=nlu.multilingual, threads=nlu.threads)
        )
        parser = load_parser_for(nlu, encoder=encoder)
        try:
            handbook = read_handbook(
                settings.knowledge.dir or DEMO_HANDBOOK, level=settings.knowledge.heading_level
            )
            kb = knowledge_base(handbook.entries, encoder, threshold=thresholds.answer)
            seen = await observe(rows, parser, kb)
            out: dict[str, Any] = report(seen, kb, thresholds, confidence_threshold=threshold)
            lines = verdict_rows(seen, kb, thresholds, confidence_threshold=threshold)
            out["misses"] = [line for line in lines if not line["right"]]
            if public and (public_dir / "faq.jsonl").exists():
                out["public"] = await _public(public_dir, encoder, thresholds.answer)
            return out
        finally:
            await parser.aclose()
            await encoder.aclose()

    started = time.perf_counter()
    result = asyncio.run(run())
    result["seconds"] = round(time.perf_counter() - started, 1)
    misses = result.pop("misses")
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    for key, part in result.items():
        if not isinstance(part, dict):
            continue
        if key == "public":
            typer.echo(
                f"public {part['set']} (n={part['n']}): top-1 {part['top1']} top-3 {part['top3']} "
                f"answered right at the threshold {part['answered_right_at_threshold']}"
            )
            continue
        rank = part["rank"]
        typer.echo(f"{key}: rank top-1 {rank['top1']} top-3 {rank['top3']} (n={rank['n']})")
        for who in ("linked", "unlinked"):
            f = part[who]
            typer.echo(
                f"  {who:<8} answered right {f['answered_right']}  offered right {f['offered_right']}  "
                f"answered wrong {f['answered_wrong']}  negatives kept {f['negatives_kept']} "
                f"(of {f['negatives']})"
            )
    if show_misses:
        for line in misses:
            typer.echo(f"  miss: {line['text']!r} want {line['expected'] or '-'} got {line['action']}")

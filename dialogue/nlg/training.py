"""Training the reply model from scratch on the corpus, and retraining only when the data changed."""

from __future__ import annotations

import json
import logging
import random
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from transformers import T5ForConditionalGeneration

from dialogue.errors import ReplyModelError
from dialogue.nlg.corpus import (
    NO_FACT,
    Row,
    control_tokens,
    data_hash,
    load_corpus,
    model_input,
    split_corpus,
    transplant_rows,
)
from dialogue.nlg.model import ModelShape, ReplyModel, decoder_prompt, new_model, token_id, train_tokenizer
from dialogue.nlg.settings import NlgSettings

log = logging.getLogger(__name__)

RECIPE_VERSION = "nlg-recipe-4"
_OPTIONAL = re.compile(r"[{}]")  # segment braces are whole tokens; BPE merges are learnt without them
DEFAULT_MAX_VARIANTS = 16
META_FILE = "opsbot_nlg.json"


@dataclass(frozen=True, slots=True)
class TrainingArgs:
    """Hyper-parameters of `opsbot train replies`; the time budget caps the run."""

    data_dir: Path
    model_dir: Path
    minutes: float = 4.5
    max_epochs: int = 200
    max_steps: int | None = 2100
    batch_size: int = 32
    learning_rate: float = 1.5e-3
    warmup_steps: int = 50
    max_variants: int = DEFAULT_MAX_VARIANTS
    transplant_share: float = 1.0  # share of rows that also teach a clause for an extra fact
    seed: int = 0
    threads: int = 1
    shape: ModelShape = field(default_factory=ModelShape)

    def __post_init__(self) -> None:
        if self.minutes <= 0 or self.batch_size < 1 or self.max_epochs < 1 or self.threads < 1:
            raise ReplyModelError("minutes, batch_size, max_epochs and threads must be positive")

    def recipe(self) -> str:
        """What, besides the data, determines the trained model (part of the data hash)."""
        shape = json.dumps(asdict(self.shape), sort_keys=True)
        return (
            f"{RECIPE_VERSION}|{shape}|{self.batch_size}|{self.learning_rate}|{self.seed}|{self.max_variants}"
            f"|{self.max_steps}|{self.warmup_steps}|{self.transplant_share}"
        )


@dataclass(frozen=True, slots=True)
class TrainingReport:
    model_dir: Path
    data_hash: str
    steps: int
    epochs: float
    seconds: float
    final_loss: float
    train_rows: int
    parameters: int
    size_bytes: int
    max_variants: int


def saved_hash(model_dir: str | Path) -> str | None:
    """The data hash recorded with a saved model, or None when there is no complete model."""
    meta = Path(model_dir) / META_FILE
    try:
        value = json.loads(meta.read_text(encoding="utf-8")).get("data_hash")
    except (OSError, ValueError):
        return None
    return str(value) if value else None


Example = tuple[list[int], list[int]]  # (input ids, target ids)
# The decoder is prompted with the whole input, <outcome><lang><vK>[fact]..., padded with <nofact>
# to a fixed length: a tiny model learns to condition through its own self-attention far faster
# than through cross-attention alone (the encoder still reads the same input).
PROMPT_TOKENS = 12


def _batches(rows: Sequence[Example], batch_size: int, rng: random.Random) -> list[list[Example]]:
    """Shuffled batches of rows of similar length (less padding)."""
    shuffled = list(rows)
    rng.shuffle(shuffled)
    chunk = batch_size * 16
    batches: list[list[Example]] = []
    for start in range(0, len(shuffled), chunk):
        part = sorted(shuffled[start : start + chunk], key=lambda r: len(r[1]))
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def train_reply_model(args: TrainingArgs, *, progress: bool = False) -> TrainingReport:
    """Train tokenizer and T5 from scratch on the training split; save with the data hash."""
    started = time.monotonic()
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        corpus = load_corpus(args.data_dir, max_variants=args.max_variants)
        trained = split_corpus(corpus).train
        rows = [*trained, *transplant_rows(corpus, trained, share=args.transplant_share, seed=args.seed)]
        tokenizer = train_tokenizer(
            [_OPTIONAL.sub("", r.target) for r in rows], control_tokens(corpus.catalog), args.shape.vocab_size
        )
        model = new_model(tokenizer, args.shape)
        inputs = tokenizer([model_input(r.outcome, r.facts, r.language, r.variant) for r in rows])[
            "input_ids"
        ]
        targets = tokenizer([r.target for r in rows])["input_ids"]
        examples: list[Example] = list(zip(inputs, targets, strict=True))
        pad_id = int(tokenizer.pad_token_id)
        filler = token_id(tokenizer, NO_FACT)
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=args.learning_rate, weight_decay=0.01, fused=True
        )
        steps_per_epoch = -(-len(rows) // args.batch_size)
        total_steps = args.max_steps or args.max_epochs * steps_per_epoch
        budget = args.minutes * 60.0
        bar = _progress_bar(progress)
        model.train()
        step, loss_value, frac = 0, float("nan"), 0.0
        train_start = time.monotonic()
        while frac < 1.0:
            for batch in _batches(examples, args.batch_size, rng):
                frac = max(step / total_steps, (time.monotonic() - train_start) / budget)
                if frac >= 1.0:
                    break
                lr = args.learning_rate * min(1.0, (step + 1) / args.warmup_steps) * max(0.02, 1.0 - frac)
                for group in optimizer.param_groups:
                    group["lr"] = lr
                input_ids = _pad([x for x, _ in batch], pad_id)
                prompt = [decoder_prompt(x, PROMPT_TOKENS, filler, pad_id) for x, _ in batch]
                decoder_ids = _pad(
                    [[pad_id, *p, *y[:-1]] for p, (_, y) in zip(prompt, batch, strict=True)], pad_id
                )
                labels = _pad([[-100] * (PROMPT_TOKENS - 1) + [-100, *y] for _, y in batch], -100)
                loss = _loss(model, input_ids, (input_ids != pad_id).long(), decoder_ids, labels)
                loss.backward()  # type: ignore[no-untyped-call]
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                step += 1
                loss_value = (
                    0.9 * loss_value + 0.1 * float(loss.detach()) if step > 1 else float(loss.detach())
                )
                if bar is not None:
                    bar.n = int(frac * 1000)
                    bar.set_postfix(loss=f"{loss_value:.3f}", step=step, refresh=False)
                    bar.refresh()
        if bar is not None:
            bar.n = 1000
            bar.close()
        if step < total_steps:
            log.warning(
                "reply model: the %.1f-minute cap stopped training at step %d of %d; expect more "
                "fallbacks to templates (a busy machine? raise nlg.train_minutes)",
                args.minutes,
                step,
                total_steps,
            )
        model.eval()  # type: ignore[no-untyped-call]
        reply_model = ReplyModel(
            model, tokenizer, decoder_prompt_tokens=PROMPT_TOKENS, decoder_prompt_filler=NO_FACT
        )
        digest = data_hash(args.data_dir, args.recipe())
        target = Path(args.model_dir)
        staging = target.with_name(target.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        reply_model.save_pretrained(staging)
        seconds = time.monotonic() - started
        report = TrainingReport(
            model_dir=target,
            data_hash=digest,
            steps=step,
            epochs=step / steps_per_epoch,
            seconds=seconds,
            final_loss=loss_value,
            train_rows=len(rows),
            parameters=sum(p.numel() for p in model.parameters()),
            size_bytes=reply_model.size_bytes,
            max_variants=args.max_variants,
        )
        meta = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(report).items()}
        meta["decoder_prompt_tokens"] = PROMPT_TOKENS
        meta["decoder_prompt_filler"] = NO_FACT
        meta["max_target_tokens"] = max(len(y) for _, y in examples)
        meta["max_target_tokens_by_outcome"] = _longest_by_outcome(rows, targets)
        (staging / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)
        log.info("reply model trained: %d steps in %.0f s, loss %.3f", step, seconds, loss_value)
        return report
    finally:
        torch.set_num_threads(previous_threads)


def ensure_trained(args: TrainingArgs, *, progress: bool = False, force: bool = False) -> bool:
    """Train when there is no saved model or its data hash differs; return True when it trained."""
    current = data_hash(args.data_dir, args.recipe())
    if not force and saved_hash(args.model_dir) == current:
        log.info("reply model is up to date (%s)", current[:12])
        return False
    train_reply_model(args, progress=progress)
    return True


def _longest_by_outcome(rows: Sequence[Row], targets: Sequence[Sequence[int]]) -> dict[str, int]:
    """The longest training target, in tokens, per "<outcome>|<language>"."""
    longest: dict[str, int] = {}
    for row, target in zip(rows, targets, strict=True):
        key = f"{row.outcome}|{row.language}"
        longest[key] = max(longest.get(key, 0), len(target))
    return dict(sorted(longest.items()))


def _loss(
    model: T5ForConditionalGeneration,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    decoder_ids: torch.Tensor,
    labels: torch.Tensor,
) -> torch.Tensor:
    """T5's own loss, with the vocabulary projection computed only where there are labels: the decoder
    prompt (the first PROMPT_TOKENS positions) never is, and it is up to half of a short row."""
    encoded = model.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
    hidden = model.decoder(
        input_ids=decoder_ids, encoder_hidden_states=encoded, encoder_attention_mask=attention_mask
    )[0][:, PROMPT_TOKENS:]
    if model.config.scale_decoder_outputs:
        hidden = hidden * (model.model_dim**-0.5)
    logits = model.lm_head(hidden)
    return torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.size(-1)), labels[:, PROMPT_TOKENS:].reshape(-1), ignore_index=-100
    )


def _pad(sequences: list[list[int]], value: int) -> torch.Tensor:
    width = max(len(s) for s in sequences)
    return torch.tensor([s + [value] * (width - len(s)) for s in sequences], dtype=torch.long)


def saved_meta(model_dir: str | Path) -> dict[str, object]:
    """The metadata saved with a trained model ({} when absent)."""
    try:
        meta = json.loads((Path(model_dir) / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def training_args(settings: NlgSettings, *, minutes: float | None = None) -> TrainingArgs:
    """TrainingArgs from settings.nlg (data_dir, model_dir, train_steps, train_minutes, train_threads)."""
    return TrainingArgs(
        data_dir=Path(settings.data_dir),
        model_dir=Path(settings.model_dir),
        minutes=minutes if minutes is not None else settings.train_minutes,
        max_steps=settings.train_steps,
        threads=settings.train_threads,
    )


def _progress_bar(enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(
        total=1000, desc="train replies", unit="‰", bar_format="{l_bar}{bar}| {elapsed}<{remaining} {postfix}"
    )

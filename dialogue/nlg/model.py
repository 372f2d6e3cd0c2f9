"""The seq2seq reply model: a byte-level BPE tokenizer with placeholder tokens and a small T5."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import (
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    LogitsProcessor,
    LogitsProcessorList,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PreTrainedTokenizerFast,
    StoppingCriteria,
    StoppingCriteriaList,
    T5Config,
    T5ForConditionalGeneration,
)

from dialogue.errors import ReplyModelError
from dialogue.nlg.catalog import SEGMENT_CLOSE, SEGMENT_OPEN
from dialogue.nlg.fastdecode import FastGreedy

log = logging.getLogger(__name__)

PAD, EOS, UNK = "<pad>", "</s>", "<unk>"


class Generator(Protocol):
    """What the renderer needs from a model: inputs in, delexicalized replies out (blocking).

    A reply may mark optional clauses as {segments}; the renderer realises it (`catalog.realise`)."""

    def generate(self, inputs: Sequence[str]) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class ModelShape:
    """Size of the from-scratch T5 (defaults: about 1.4 M parameters, about 5.5 MB)."""

    d_model: int = 128
    d_ff: int = 512
    num_layers: int = 2
    num_decoder_layers: int = 2
    num_heads: int = 4
    d_kv: int = 32
    vocab_size: int = 4000
    dropout: float = 0.0


def train_tokenizer(
    texts: Iterable[str], whole_tokens: Iterable[str], vocab_size: int
) -> PreTrainedTokenizerFast:
    """Byte-level BPE (covers Chinese and any byte); each of `whole_tokens` (placeholders) is one token."""
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, EOS, UNK],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    tok.add_tokens([AddedToken(t, normalized=False, single_word=False) for t in whole_tokens])
    eos_id = tok.token_to_id(EOS)
    tok.post_processor = processors.TemplateProcessing(
        single=f"$A {EOS}", pair=f"$A {EOS} $B {EOS}", special_tokens=[(EOS, eos_id)]
    )
    wrapped = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tok, pad_token=PAD, eos_token=EOS, unk_token=UNK
    )
    return wrapped


def new_model(tokenizer: PreTrainedTokenizerBase, shape: ModelShape) -> T5ForConditionalGeneration:
    pad_id = tokenizer.pad_token_id
    eos_id = tokenizer.eos_token_id
    assert isinstance(pad_id, int) and isinstance(eos_id, int)
    config = T5Config(  # type: ignore[call-arg]
        vocab_size=len(tokenizer),
        d_model=shape.d_model,
        d_ff=shape.d_ff,
        d_kv=shape.d_kv,
        num_layers=shape.num_layers,
        num_decoder_layers=shape.num_decoder_layers,
        num_heads=shape.num_heads,
        dropout_rate=shape.dropout,
        feed_forward_proj="relu",
        tie_word_embeddings=True,
        pad_token_id=pad_id,
        eos_token_id=eos_id,
        decoder_start_token_id=pad_id,
    )
    return T5ForConditionalGeneration(config)


def token_id(tokenizer: PreTrainedTokenizerBase, token: str) -> int:
    value = tokenizer.convert_tokens_to_ids(token)
    if not isinstance(value, int):
        raise ReplyModelError(f"not a single token: {token!r}")
    return value


def decoder_prompt(input_ids: list[int], length: int, filler: int, pad_id: int) -> list[int]:
    """The input's tokens (without padding and </s>) cut or filled with `filler` to `length`."""
    ids = [i for i in input_ids if i != pad_id][:-1][:length]
    return ids + [filler] * (length - len(ids))


_PLACEHOLDER_TOKEN = re.compile(r"\[[a-z_]+\]")
_INPUT_HEAD = re.compile(r"^<([a-z0-9_]+)><([a-z]{2})>")


def token_budget(longest: int) -> int:
    """Tokens a reply may take when the longest training reply (of its outcome) took `longest`."""
    return longest + longest // 2 + 4


class RowBudget(StoppingCriteria):
    """Ends each row of a greedy batch at its own token budget, so one runaway row (garbage that the
    checks reject anyway) does not keep the whole batch decoding to the global limit."""

    def __init__(self, budgets: list[int], skip: int) -> None:
        self.budgets = torch.tensor(budgets, dtype=torch.long)
        self.skip = skip

    def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
        generated = input_ids.shape[1] - self.skip
        done: torch.BoolTensor = self.budgets <= generated  # type: ignore[assignment]
        return done


class SlotConstraint(LogitsProcessor):
    """Constrained decoding for the opsbot-trained model (vectorized over the batch).

    Per row: a placeholder may appear at most once, and only if its fact is in the input or inside an
    optional {segment} (which `catalog.realise` drops); segments do not nest and must close. The reply
    may not end before every given placeholder has appeared: where the model would end early, it opens
    a segment instead. No token that contains a digit is ever chosen (numbers come only from facts).
    The grounding check still runs on the realised result.
    """

    def __init__(
        self,
        allowed: list[set[int]],
        placeholder_ids: list[int],
        banned: torch.Tensor,
        eos_id: int,
        skip: int,
        num_beams: int,
        segment: tuple[int, int] | None = None,
    ) -> None:
        self.ids = torch.tensor(placeholder_ids, dtype=torch.long)
        mask = torch.tensor([[p in row for p in placeholder_ids] for row in allowed], dtype=torch.bool)
        self.allowed = mask.repeat_interleave(num_beams, dim=0)  # (rows, placeholders)
        self.banned = banned
        self.eos_id = eos_id
        self.skip = skip
        self.segment = segment

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        scores.masked_fill_(self.banned, -float("inf"))
        generated = input_ids[:, self.skip :]
        used = (generated.unsqueeze(-1) == self.ids).any(dim=1)  # (rows, placeholders)
        inside = torch.zeros(generated.shape[0], dtype=torch.bool)
        if self.segment is not None:
            opener, closer = self.segment
            depth = (generated == opener).sum(dim=1) - (generated == closer).sum(dim=1)
            inside = depth > 0
            just_opened = generated[:, -1] == opener if generated.shape[1] else inside
            scores[inside, opener] = -float("inf")
            scores[~inside | just_opened, closer] = -float("inf")
            scores[inside, self.eos_id] = -float("inf")
        blocked = (~self.allowed & ~inside.unsqueeze(1)) | used
        slot_scores = scores[:, self.ids]
        scores[:, self.ids] = slot_scores.masked_fill(blocked, -float("inf"))
        pending = (self.allowed & ~used).any(dim=1)
        if self.segment is not None:
            # the model would end while a given fact is still unsaid: it gets an optional clause for it
            best = scores.max(dim=1)
            force = pending & ~inside & (best.indices == self.eos_id)
            scores[force, self.segment[0]] = best.values[force] + 1.0  # finite: beams sum scores
        scores[pending, self.eos_id] = -float("inf")
        return scores


class ReplyModel:
    """A tokenizer plus a seq2seq model; `generate` is blocking (call it off the event loop)."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        num_beams: int = 1,
        max_new_tokens: int = 96,
        decoder_prompt_tokens: int = 0,
        decoder_prompt_filler: str = "",
        min_token_prob: float = 0.0,
    ) -> None:
        model.eval()  # type: ignore[no-untyped-call]
        self.model = model
        self.tokenizer = tokenizer
        self.num_beams = num_beams
        self.max_new_tokens = max_new_tokens
        # The opsbot-trained model also gets its input (<outcome><lang><vK>[fact]...) as the decoder's
        # prompt, filled to N tokens; any other checkpoint (e.g. a fine-tuned flan-t5) uses 0.
        self.decoder_prompt_tokens = decoder_prompt_tokens
        self._filler = token_id(tokenizer, decoder_prompt_filler) if decoder_prompt_filler else 0
        # The model abstains (returns "") when any token of its reply had a probability below this under
        # its own unconstrained distribution: the constraints forced it somewhere it did not want to go.
        self.min_token_prob = min_token_prob
        # Per "<outcome>|<lang>": the token budget of its replies (from the training targets), when known.
        self.budgets: dict[str, int] = {}
        self.last_confidence: list[float] = []
        # No n-gram blocking: marked clauses legitimately repeat "}{，" and blocking them derails the
        # decoder; a loop runs into the row's token budget and the repetition check rejects it.
        self.no_repeat_ngram_size = 0
        self._placeholders: dict[str, int] = {}
        self._banned = torch.zeros(0, dtype=torch.bool)
        self._segment: tuple[int, int] | None = None  # token ids of "{" and "}" when the model marks clauses
        # the opsbot-trained model decodes greedily without `generate`'s per-step overhead
        self._fast = FastGreedy(model) if decoder_prompt_tokens and FastGreedy.supports(model) else None
        if decoder_prompt_tokens:  # the opsbot-trained model: decode under slot constraints
            vocab = tokenizer.get_vocab()
            self._placeholders = {t: i for t, i in vocab.items() if _PLACEHOLDER_TOKEN.fullmatch(t)}
            size = int(model.config.vocab_size)
            banned = torch.zeros(size, dtype=torch.bool)
            opener, closer = vocab.get(SEGMENT_OPEN), vocab.get(SEGMENT_CLOSE)
            if opener is not None and closer is not None and SEGMENT_OPEN in tokenizer.get_added_vocab():
                self._segment = (opener, closer)
            for i in range(min(size, len(tokenizer))):
                piece = tokenizer.decode([i])
                if any(ch.isdigit() for ch in piece):
                    banned[i] = True
                # braces only as the segment tokens themselves (a merged "}." would hide a segment's end)
                if (SEGMENT_OPEN in piece or SEGMENT_CLOSE in piece) and i not in (opener, closer):
                    banned[i] = True
            self._banned = banned

    @classmethod
    def from_pretrained(
        cls, path: str | Path, *, num_beams: int = 1, max_new_tokens: int = 96, min_token_prob: float = 0.0
    ) -> ReplyModel:
        """Load any local HF seq2seq checkpoint (the trained model or e.g. a fine-tuned flan-t5)."""
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        model = AutoModelForSeq2SeqLM.from_pretrained(str(path), local_files_only=True)
        prompt, filler = 0, ""
        budgets: dict[str, int] = {}
        meta = Path(path) / "opsbot_nlg.json"
        if meta.exists():  # written by `opsbot train replies`
            saved = json.loads(meta.read_text(encoding="utf-8"))
            prompt = int(saved.get("decoder_prompt_tokens", 0))
            filler = str(saved.get("decoder_prompt_filler", ""))
            longest = int(saved.get("max_target_tokens", 0))
            if longest:  # a reply longer than any training target is a runaway: stop early
                max_new_tokens = min(max_new_tokens, token_budget(longest))
            by_outcome = saved.get("max_target_tokens_by_outcome") or {}
            budgets = {str(k): min(max_new_tokens, token_budget(int(v))) for k, v in by_outcome.items()}
        reply_model = cls(
            model,
            tokenizer,
            num_beams=num_beams,
            max_new_tokens=max_new_tokens,
            decoder_prompt_tokens=prompt,
            decoder_prompt_filler=filler,
            min_token_prob=min_token_prob,
        )
        reply_model.budgets = budgets
        return reply_model

    def _budget(self, text: str) -> int:
        head = _INPUT_HEAD.match(text)
        if head is None:
            return self.max_new_tokens
        return self.budgets.get(f"{head.group(1)}|{head.group(2)}", self.max_new_tokens)

    def save_pretrained(self, path: str | Path) -> None:
        self.model.save_pretrained(str(path))
        self.tokenizer.save_pretrained(str(path))

    @property
    def size_bytes(self) -> int:
        return sum(p.numel() * p.element_size() for p in self.model.parameters())

    def generate(self, inputs: Sequence[str]) -> list[str]:
        """Decode (greedy unless num_beams > 1); a row below the confidence gate comes back empty.

        A row that is rejected is not decoded again here: the renderer asks for other phrasings and
        for the reply with every fact (`renderer.model_attempts`), which costs one greedy round.
        """
        if not inputs:
            return []
        texts, confidence = self._decode(list(inputs), self.num_beams)
        self.last_confidence = confidence
        return [t if c >= self.min_token_prob else "" for t, c in zip(texts, confidence, strict=True)]

    def _decode(self, inputs: list[str], num_beams: int) -> tuple[list[str], list[float]]:
        """Decode; also return each row's lowest token probability (1.0 when the gate is off)."""
        batch = self.tokenizer(inputs, return_tensors="pt", padding=True)
        extra: dict[str, torch.Tensor] = {}
        skip = 0
        if self.decoder_prompt_tokens:
            skip = 1 + self.decoder_prompt_tokens
            start = torch.full((len(inputs), 1), self.model.config.decoder_start_token_id, dtype=torch.long)
            pad_id = int(self.model.config.pad_token_id)
            prompts = [
                decoder_prompt(row, self.decoder_prompt_tokens, self._filler, pad_id)
                for row in batch["input_ids"].tolist()
            ]
            extra["decoder_input_ids"] = torch.cat([start, torch.tensor(prompts, dtype=torch.long)], 1)
        processors = LogitsProcessorList()
        allowed: list[set[int]] = []
        eos = int(self.model.config.eos_token_id)
        if self._placeholders:
            allowed = [
                {self._placeholders[p] for p in _PLACEHOLDER_TOKEN.findall(text) if p in self._placeholders}
                for text in inputs
            ]
            slot_ids = sorted(self._placeholders.values())
            processors.append(
                SlotConstraint(allowed, slot_ids, self._banned, eos, skip, num_beams, self._segment)
            )
        budgets = [self._budget(text) for text in inputs]
        gate = self.min_token_prob > 0
        if num_beams == 1 and self._fast is not None and "decoder_input_ids" in extra:
            result = self._fast.greedy(
                batch["input_ids"],
                batch["attention_mask"],
                extra["decoder_input_ids"],
                eos_id=eos,
                pad_id=int(self.model.config.pad_token_id),
                budgets=budgets,
                processors=processors,
                give_up_below=self.min_token_prob,
                forced_opener=self._segment[0] if self._segment is not None else None,
            )
            out = result.sequences
            generated = out[:, skip:]
            confidence = (
                self._lowest(result.chosen_prob, result.model_choice, generated)
                if gate
                else [1.0] * len(inputs)
            )
        else:
            stopping = StoppingCriteriaList()
            if num_beams == 1 and self.budgets:
                stopping.append(RowBudget(budgets, skip))
            with torch.inference_mode():
                out = self.model.generate(  # type: ignore[operator]
                    input_ids=batch["input_ids"],
                    attention_mask=batch["attention_mask"],
                    num_beams=num_beams,
                    do_sample=False,
                    max_new_tokens=max(budgets),
                    logits_processor=processors,
                    stopping_criteria=stopping,
                    no_repeat_ngram_size=self.no_repeat_ngram_size,
                    **extra,
                )
            confidence = self._confidence(batch, out, skip) if gate else [1.0] * len(inputs)
        out = out[:, skip:]
        texts = self.tokenizer.batch_decode(out, skip_special_tokens=True, clean_up_tokenization_spaces=False)
        return [str(t).strip() for t in texts], confidence

    def _confidence(self, batch: Any, sequences: torch.Tensor, skip: int) -> list[float]:
        """Per row, the lowest probability the unconstrained model gave to a token it emitted."""
        with torch.inference_mode():
            logits = self.model(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                decoder_input_ids=sequences[:, :-1],
            ).logits
        probs = torch.softmax(logits[:, skip - 1 :].float(), dim=-1)
        generated = sequences[:, skip:]
        chosen = probs.gather(-1, generated.unsqueeze(-1)).squeeze(-1)
        return self._lowest(chosen, probs.argmax(dim=-1), generated)

    def _lowest(
        self, chosen: torch.Tensor, model_choice: torch.Tensor, generated: torch.Tensor
    ) -> list[float]:
        """Per row, the lowest unconstrained probability of a token it emitted, up to the row's end.

        All three are (rows, steps): the probability of each emitted token, the model's own top token
        at that step, and the emitted token."""
        pad_id = int(self.model.config.pad_token_id)
        eos_id = int(self.model.config.eos_token_id)
        # a segment the constraints opened where the model would have ended (a given fact was unsaid)
        # is the constraint's choice; the clause the model then writes is judged, not the opening
        opened = torch.zeros_like(generated, dtype=torch.bool)
        if self._segment is not None:
            opened = (generated == self._segment[0]) & (model_choice == eos_id)
        # a row's reply runs up to its first EOS (counted) or pad (not counted)
        ended = ((generated == eos_id) | (generated == pad_id)).long()
        in_reply = (torch.cumsum(ended, dim=1) - ended == 0) & (generated != pad_id)
        if generated.shape[1] == 0:
            return [1.0] * generated.shape[0]
        lowest = chosen.masked_fill(~in_reply | opened, 1.0).min(dim=1).values
        return [float(v) for v in lowest]

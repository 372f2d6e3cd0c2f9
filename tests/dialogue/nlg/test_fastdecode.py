"""The hand-written greedy decoder must compute exactly what the model and `generate` compute."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import T5Config, T5ForConditionalGeneration

from dialogue.nlg.corpus import model_input
from dialogue.nlg.fastdecode import FastGreedy
from dialogue.nlg.model import ReplyModel, decoder_prompt

INPUTS = [
    model_input("order_pending", ("order_id", "status", "eta"), "en"),
    model_input("stock_level", ("sku", "qty"), "zh", 2),
    model_input("greeting", (), "en"),
    model_input("customer_profile", ("customer_name", "contact_name", "email"), "en", 1),
]


def _prefix(model: ReplyModel, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    pad = int(model.model.config.pad_token_id)
    prompts = [
        decoder_prompt(row, model.decoder_prompt_tokens, model._filler, pad)
        for row in batch["input_ids"].tolist()
    ]
    start = torch.full((len(prompts), 1), pad, dtype=torch.long)
    return torch.cat([start, torch.tensor(prompts, dtype=torch.long)], dim=1)


def test_logits_equal_the_models_forward(tiny_model_dir: Path) -> None:
    model = ReplyModel.from_pretrained(tiny_model_dir)
    batch = model.tokenizer(INPUTS, return_tensors="pt", padding=True)
    prefix = _prefix(model, batch)
    fast = FastGreedy(model.model)
    for length in (2, prefix.shape[1]):
        with torch.inference_mode():
            expected = model.model(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                decoder_input_ids=prefix[:, :length],
            ).logits[:, -1]
        got = fast.logits(batch["input_ids"], batch["attention_mask"], prefix[:, :length])
        assert torch.allclose(got, expected, atol=1e-4), (got - expected).abs().max()


@pytest.mark.parametrize("gate", [0.0, 0.3])
def test_greedy_replies_and_confidence_equal_generate(tiny_model_dir: Path, gate: float) -> None:
    fast = ReplyModel.from_pretrained(tiny_model_dir, min_token_prob=gate)
    slow = ReplyModel.from_pretrained(tiny_model_dir, min_token_prob=gate)
    assert fast._fast is not None
    slow._fast = None  # transformers' generate with the same constraints and budgets
    fast.budgets = slow.budgets = {"order_pending|en": 7}  # one row stops early at its budget
    got = fast._decode(INPUTS, 1)
    expected = slow._decode(INPUTS, 1)
    # the fast path stops a row at its first token under the gate, whose reply is discarded anyway
    kept = [k for k, c in enumerate(expected[1]) if c >= gate]
    assert all((g >= gate) == (e >= gate) for g, e in zip(got[1], expected[1], strict=True))
    assert [got[0][k] for k in kept] == [expected[0][k] for k in kept]
    assert [got[1][k] for k in kept] == pytest.approx([expected[1][k] for k in kept], abs=1e-4)
    assert fast.generate(INPUTS) == slow.generate(INPUTS)


def test_other_architectures_are_not_claimed() -> None:
    gated = T5Config(
        vocab_size=50, d_model=16, d_ff=32, d_kv=8, num_layers=1, num_heads=2, feed_forward_proj="gated-gelu"
    )
    assert not FastGreedy.supports(T5ForConditionalGeneration(gated))
    with pytest.raises(ValueError):
        FastGreedy(T5ForConditionalGeneration(gated))

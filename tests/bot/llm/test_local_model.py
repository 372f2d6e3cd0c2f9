"""The local provider on a tiny random-weight Llama built here (no download): it generates off the
event loop, counts tokens, and an answer that is not the JSON asked for falls back."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from bot.llm.local_model import LocalModel
from dialogue.llm.gate import ModelGate
from dialogue.llm.model import ChatMessage
from dialogue.nlg.listing_llm import LISTING_V1_SCHEMA

LINES = [
    "Organic Cotton Bath Towel, home textile, organic cotton, 70x140 cm, quick-dry.",
    "Write a product listing as JSON with a title, bullets and a description.",
    '{"title": "Towel", "bullets": ["Organic cotton"], "description": "A towel."}',
    "Payment terms are 30 days from the invoice date.",
]


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-layer Llama with random weights and a byte-level BPE trained on four lines, saved to disk."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-llama")
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(
        LINES,
        trainers.BpeTrainer(
            vocab_size=300,
            special_tokens=["<unk>", "<s>", "</s>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        ),
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    )
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


ASK = [ChatMessage("system", "Write a listing."), ChatMessage("user", "Organic Cotton Bath Towel")]


async def test_text_is_generated_off_the_event_loop(tiny_llama: Path) -> None:
    tokens: list[tuple[str, int, int]] = []
    model = LocalModel(tiny_llama, max_tokens=8, tokens=lambda *t: tokens.append(t))
    threads: list[str] = []
    real = model._generate

    def spy(messages: list[ChatMessage], stop: threading.Event) -> tuple[str, int, int]:
        threads.append(threading.current_thread().name)
        return real(messages, stop)

    model._generate = spy  # type: ignore[method-assign]
    text = await model.complete_text("knowledge", ASK)
    await model.aclose()
    assert isinstance(text, str)
    assert threads and threads[0].startswith("llm-local") and threads[0] != threading.main_thread().name
    ((use, prompt, new),) = tokens
    assert use == "knowledge" and prompt > 5 and 0 < new <= 8


async def test_random_weights_are_not_listing_json_so_the_template_stays(tiny_llama: Path) -> None:
    reasons: list[str] = []

    class Observer:
        def call(self, use: str, seconds: float, outcome: str) -> None: ...
        def fallback(self, use: str, reason: str) -> None:
            reasons.append(reason)

        def rejected(self, use: str, reason: str) -> None: ...

    model = LocalModel(tiny_llama, max_tokens=16)
    gate = ModelGate(model, uses={"listing"}, timeout_seconds=30, observer=Observer())
    assert await gate.complete_json("listing", ASK, LISTING_V1_SCHEMA) is None
    await model.aclose()
    assert reasons and reasons[0] in ("invalid_json", "schema", "empty")


async def test_a_slow_local_model_falls_back_in_time_and_the_loop_stays_free(tiny_llama: Path) -> None:
    model = LocalModel(tiny_llama, max_tokens=1500)  # some seconds of work
    gate = ModelGate(model, uses={"listing"}, timeout_seconds=0.05)
    ticks = 0

    async def other_conversation() -> None:
        nonlocal ticks
        for _ in range(5):
            await asyncio.sleep(0.005)
            ticks += 1

    loop = asyncio.get_running_loop()
    started = loop.time()
    result, _ = await asyncio.gather(
        gate.complete_json("listing", ASK, LISTING_V1_SCHEMA), other_conversation()
    )
    assert result is None and ticks == 5
    assert loop.time() - started < 0.05 + 0.5
    # the generation left behind stops at its next token: the model's thread is free again at once
    freed = loop.run_in_executor(model._executor, lambda: None)
    await asyncio.wait_for(freed, 2)
    await model.aclose()


async def test_a_missing_folder_falls_back(tmp_path: Path) -> None:
    model = LocalModel(tmp_path / "nowhere")
    assert await ModelGate(model, uses={"listing"}, timeout_seconds=5).complete_text("listing", ASK) is None
    await model.aclose()


async def test_llm_check_on_a_local_folder(tiny_llama: Path) -> None:
    from bot.llm.check import check_model
    from bot.llm.settings import LlmSettings

    report = await check_model(LlmSettings(provider="local", model=str(tiny_llama), max_tokens=16))
    assert report is not None and report.model == f"local:{tiny_llama.name}"
    assert report.text.ok and not report.structured.ok  # random weights write text, never the JSON
    assert report.lines()[1].startswith("structured output (asked in the prompt): FAILED")

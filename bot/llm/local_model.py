"""`provider: local`: a Hugging Face causal LM from a local folder, through transformers.

Nothing is downloaded (`local_files_only`). The model loads on first use; generation runs in one worker
thread of its own, so the event loop and the other conversations never wait for it. JSON is asked for
in the prompt and read from the answer (bare or in a fenced block).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bot.llm.prompting import as_dicts, with_schema_instruction
from dialogue.llm.jsonout import checked_json
from dialogue.llm.model import ERROR, ChatMessage, LlmUnavailable

TokenSink = Callable[[str, int, int], None]


class LocalModel:
    """A `dialogue.llm.model.TextModel` on a transformers causal LM in `path`."""

    def __init__(self, path: str | Path, *, max_tokens: int = 512, tokens: TokenSink | None = None) -> None:
        self._path = Path(path)
        self._max_tokens = max_tokens
        self._tokens = tokens
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm-local")
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any] | None = None

    @property
    def name(self) -> str:
        return f"local:{self._path.name}"

    async def complete_json(
        self, use: str, messages: Sequence[ChatMessage], schema: Mapping[str, Any]
    ) -> dict[str, Any]:
        return checked_json(await self.complete_text(use, with_schema_instruction(messages, schema)), schema)

    async def complete_text(self, use: str, messages: Sequence[ChatMessage]) -> str:
        loop = asyncio.get_running_loop()
        stop = threading.Event()  # set when the caller stops waiting: generation ends at the next token
        try:
            text, prompt_tokens, new_tokens = await loop.run_in_executor(
                self._executor, self._generate, list(messages), stop
            )
        except asyncio.CancelledError:
            stop.set()
            raise
        if self._tokens is not None:
            self._tokens(use, prompt_tokens, new_tokens)
        return text

    async def aclose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._loaded is None:
                from transformers import AutoModelForCausalLM, AutoTokenizer

                if not self._path.is_dir():
                    raise LlmUnavailable(ERROR, f"llm.model: no model folder at {self._path}")
                tokenizer = AutoTokenizer.from_pretrained(self._path, local_files_only=True)
                model = AutoModelForCausalLM.from_pretrained(self._path, local_files_only=True)
                model.eval()  # type: ignore[no-untyped-call]
                self._loaded = (tokenizer, model)
            return self._loaded

    def _prompt(self, tokenizer: Any, messages: list[ChatMessage]) -> str:
        if getattr(tokenizer, "chat_template", None):
            return str(
                tokenizer.apply_chat_template(as_dicts(messages), tokenize=False, add_generation_prompt=True)
            )
        lines = [f"{m.role}: {m.content}" for m in messages]
        return "\n".join([*lines, "assistant:"])

    def _generate(self, messages: list[ChatMessage], stop: threading.Event) -> tuple[str, int, int]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        class _Stopped(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                return torch.full((input_ids.shape[0],), stop.is_set(), dtype=torch.bool)

        if stop.is_set():
            return "", 0, 0

        tokenizer, model = self._load()
        encoded = tokenizer(self._prompt(tokenizer, messages), return_tensors="pt")
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        with torch.inference_mode():
            output = model.generate(
                **encoded,
                max_new_tokens=self._max_tokens,
                do_sample=False,
                pad_token_id=pad,
                stopping_criteria=StoppingCriteriaList([_Stopped()]),
            )
        prompt_length = int(encoded["input_ids"].shape[1])
        new = output[0][prompt_length:]
        return tokenizer.decode(new, skip_special_tokens=True), prompt_length, int(new.shape[0])

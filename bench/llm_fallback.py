"""How long opsbot waits for a model server that hangs (not a test; issue 27's figure).

Run: .venv/bin/python bench/llm_fallback.py
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

_ROOT = _Path(__file__).resolve().parents[1]
if str(_ROOT) not in _sys.path:
    _sys.path.insert(0, str(_ROOT))

import asyncio  # noqa: E402
import time  # noqa: E402

from bot.llm.openai_model import OpenAIModel  # noqa: E402
from bot.llm.settings import normalize_base_url  # noqa: E402
from dialogue.llm.gate import ModelGate  # noqa: E402
from dialogue.llm.model import ChatMessage  # noqa: E402
from dialogue.nlg.listing_llm import LISTING_V1_SCHEMA  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402
from tests.fakes.servers import serve_asgi  # noqa: E402


async def main() -> None:
    fake = FakeOpenAI(hang_seconds=60)
    async with serve_asgi(fake.app()) as root:
        for timeout in (0.3, 1.0, 8.0):
            model = OpenAIModel(base_url=normalize_base_url(root), model="m", timeout_seconds=timeout)
            gate = ModelGate(model, uses={"listing"}, timeout_seconds=timeout)
            started = time.perf_counter()
            result = await gate.complete_json("listing", [ChatMessage("user", "x")], LISTING_V1_SCHEMA)
            took = time.perf_counter() - started
            print(f"timeout_seconds={timeout}: result={result}, fell back after {took:.3f} s")
            await model.aclose()
        fake.release()


if __name__ == "__main__":
    asyncio.run(main())

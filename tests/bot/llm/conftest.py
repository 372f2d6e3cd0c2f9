"""A fake OpenAI-compatible server on 127.0.0.1, served inside the test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from bot.llm.openai_model import OpenAIModel
from bot.llm.settings import normalize_base_url
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.servers import serve_asgi


@dataclass
class Served:
    fake: FakeOpenAI
    root: str  # http://127.0.0.1:PORT, without /v1


@pytest.fixture
async def openai_server() -> AsyncIterator[Served]:
    fake = FakeOpenAI()
    async with serve_asgi(fake.app()) as root:
        yield Served(fake, root)
        fake.release()


MakeModel = Callable[..., OpenAIModel]


@pytest.fixture
async def make_model(openai_server: Served) -> AsyncIterator[MakeModel]:
    """OpenAIModels on the fake server (its URL given without /v1), closed after the test."""
    made: list[OpenAIModel] = []

    def make(structured_output: str = "json_schema", **kwargs: object) -> OpenAIModel:
        kwargs.setdefault("base_url", normalize_base_url(openai_server.root))
        made.append(
            OpenAIModel(model="fake-model", api_key="sk-test", structured_output=structured_output, **kwargs)  # type: ignore[arg-type]
        )
        return made[-1]

    yield make
    for model in made:
        await model.aclose()

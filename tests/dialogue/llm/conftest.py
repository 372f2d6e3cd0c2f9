"""Fixtures of the language-model tests: a scripted TextModel and the product attribute tables."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogue.llm.jsonout import checked_json
from dialogue.llm.model import ChatMessage, LlmError
from dialogue.nlg.corpus import ProductTables

DATA_DIR = Path(__file__).resolve().parents[3] / "dialogue" / "data"


class ScriptedModel:
    """A TextModel that answers from a script (text, an LlmError to raise, or a hang) and records calls."""

    name = "scripted"

    def __init__(self, answer: str | LlmError = "{}", *, hang: float = 0.0) -> None:
        self.answer = answer
        self.hang = hang
        self.calls: list[tuple[str, list[ChatMessage]]] = []

    async def complete_json(
        self, use: str, messages: Sequence[ChatMessage], schema: Mapping[str, Any]
    ) -> dict[str, Any]:
        return checked_json(await self.complete_text(use, messages), schema)

    async def complete_text(self, use: str, messages: Sequence[ChatMessage]) -> str:
        self.calls.append((use, list(messages)))
        if self.hang:
            await asyncio.sleep(self.hang)
        if isinstance(self.answer, LlmError):
            raise self.answer
        return self.answer


class CountingObserver:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fallbacks: list[tuple[str, str]] = []
        self.rejections: list[tuple[str, str]] = []

    def call(self, use: str, seconds: float, outcome: str) -> None:
        self.calls.append((use, outcome))

    def fallback(self, use: str, reason: str) -> None:
        self.fallbacks.append((use, reason))

    def rejected(self, use: str, reason: str) -> None:
        self.rejections.append((use, reason))


def listing_json(title: str, bullets: list[str], description: str) -> str:
    return json.dumps({"title": title, "bullets": bullets, "description": description}, ensure_ascii=False)


@pytest.fixture(scope="session")
def tables() -> ProductTables:
    attrs = yaml.safe_load((DATA_DIR / "product_attributes.yml").read_text(encoding="utf-8"))
    return ProductTables(
        names=tuple(attrs.get("names") or ()),
        sizes=tuple(attrs.get("sizes") or ()),
        translations={
            "category": dict(attrs.get("categories") or {}),
            "material": dict(attrs.get("materials") or {}),
            "color": dict(attrs.get("colors") or {}),
            "features": dict(attrs.get("features") or {}),
        },
    )

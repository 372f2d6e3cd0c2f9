"""Asking for JSON in the prompt (structured_output: none, and the local provider)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from dialogue.llm.model import ChatMessage


def with_schema_instruction(messages: Sequence[ChatMessage], schema: Mapping[str, Any]) -> list[ChatMessage]:
    """The messages, with an instruction to answer with JSON fitting `schema` added to the system one."""
    ask = "Answer with a single JSON object that fits this JSON Schema, and nothing else:\n" + json.dumps(
        schema, ensure_ascii=False, separators=(",", ":")
    )
    out = list(messages)
    if out and out[0].role == "system":
        out[0] = ChatMessage("system", f"{out[0].content}\n\n{ask}")
    else:
        out.insert(0, ChatMessage("system", ask))
    return out


def as_dicts(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]

"""JSON out of a model's text (bare, or in a fenced block), checked against a small JSON Schema subset.

The subset is what opsbot's own schemas use: type (object, array, string, integer, number, boolean),
properties, required, additionalProperties: false, items, minItems/maxItems, minLength/maxLength, enum.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from dialogue.llm.model import EMPTY, INVALID_JSON, SCHEMA, LlmBadOutput

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.S)
_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
}


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object in `text`: the whole text, a ```json fenced block, or the outermost {...}."""
    text = text.strip()
    if not text:
        raise LlmBadOutput(EMPTY, "the model returned nothing")
    candidates = [text, *(m.group(1).strip() for m in _FENCE.finditer(text))]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    raise LlmBadOutput(INVALID_JSON, f"no JSON object in {text[:80]!r}")


def schema_errors(value: Any, schema: Mapping[str, Any], path: str = "$") -> list[str]:
    """Where `value` breaks `schema` (empty: it fits)."""
    kind = schema.get("type")
    if isinstance(kind, str):
        expected = _TYPES.get(kind)
        if expected is not None and (
            not isinstance(value, expected) or (kind in ("integer", "number") and isinstance(value, bool))
        ):
            return [f"{path}: not {kind}"]
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: not one of {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: too short")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: too long")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: too few items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: too many items")
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                errors += schema_errors(item, items, f"{path}[{i}]")
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties", {})
        errors += [f"{path}.{key}: missing" for key in schema.get("required", ()) if key not in value]
        if schema.get("additionalProperties") is False:
            errors += [f"{path}.{key}: not allowed" for key in value if key not in properties]
        for key, sub in properties.items():
            if key in value:
                errors += schema_errors(value[key], sub, f"{path}.{key}")
    return errors


def checked_json(text: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object in `text` if it fits `schema`; else `LlmBadOutput` (invalid_json or schema)."""
    value = parse_json_object(text)
    errors = schema_errors(value, schema)
    if errors:
        raise LlmBadOutput(SCHEMA, "; ".join(errors[:5]))
    return value

"""A pushed body, read and checked row by row against the data contract, in the request.

The body is a JSON array of objects, or JSON Lines (one object a line). `Content-Type:
application/x-ndjson` (or `application/jsonl`) means JSON Lines; otherwise the first character that is
not a space decides: `[` an array, anything else JSON Lines. Rows are numbered as a person counts
them: an array's elements from 1, JSON Lines by line.

What is checked here is what a row holds on its own (types, required fields, enums) and duplicate keys
in the body. References to other records are checked when the batch is applied, against the store as
it is then (an earlier batch may be adding the supplier an order names).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from bot.dataio.entities import Entity
from bot.dataio.validate import MAX_ERRORS, RowError

JSON_LINES_TYPES = {
    "application/x-ndjson",
    "application/jsonl",
    "application/x-jsonlines",
    "application/ndjson",
}


class BodyUnreadable(Exception):
    """The body as a whole cannot be read: not UTF-8, or not JSON."""


@dataclass
class CheckedBody:
    """The rows of a body that passed the contract, as JSON Lines whose line n is row n."""

    rows: int = 0
    lines: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, row: int, field_name: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError("", row, field_name, reason))

    def jsonl(self) -> str:
        return "\n".join(self.lines) + "\n"


def is_json_lines(content_type: str, body: bytes) -> bool:
    media = content_type.split(";")[0].strip().lower()
    if media in JSON_LINES_TYPES:
        return True
    return not body.lstrip().startswith(b"[")


def check_body(entity: Entity, body: bytes, content_type: str) -> CheckedBody:
    """Every row of `body` checked against `entity`'s contract; raises BodyUnreadable for a body that is
    not UTF-8 JSON (or JSON Lines) at all."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BodyUnreadable(f"the body is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    rows = _lines(text) if is_json_lines(content_type, body) else _array(text)
    checked = CheckedBody()
    seen: dict[object, int] = {}
    for number, values in rows:
        if values is None:  # a blank line: kept blank, so that line numbers still match rows
            checked.lines.append("")
            continue
        if isinstance(values, str):
            checked.error(number, "", values)
            continue
        try:
            record = entity.model.model_validate(values)
        except ValidationError as exc:
            for e in exc.errors(include_url=False, include_input=False):
                checked.error(number, ".".join(str(p) for p in e["loc"]), e["msg"])
            continue
        key = tuple(getattr(record, k) for k in entity.key)
        first = seen.get(key)
        if first is not None:
            shown = "/".join(str(k) for k in key)
            checked.error(number, "/".join(entity.key), f"duplicate {shown!r} (first at row {first})")
            continue
        seen[key] = number
        checked.rows += 1
        checked.lines.append(json.dumps(values, ensure_ascii=True, separators=(",", ":")))
    if checked.rows == 0 and checked.ok:
        checked.error(0, "", "the body holds no rows")
    return checked


def _loads(text: str) -> Any:
    # "3.40" stays 3.40: amounts are decimals. Deep nesting is a reason, not a crash.
    return json.loads(text, parse_float=str)


def _kept(value: dict[str, Any]) -> dict[str, Any]:
    """As in a file: a null or a blank value is left out, so the contract's default applies."""
    return {k: v for k, v in value.items() if v is not None and not (isinstance(v, str) and not v.strip())}


RowItem = tuple[int, dict[str, Any] | str | None]


def _array(text: str) -> Iterator[RowItem]:
    try:
        value = _loads(text)
    except json.JSONDecodeError as exc:
        raise BodyUnreadable(
            f"the body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise BodyUnreadable("the body is not JSON this API reads: nested too deeply") from None
    if not isinstance(value, list):
        raise BodyUnreadable(f"the body must be a JSON array of objects (or JSON Lines), not {_kind(value)}")
    for number, item in enumerate(value, start=1):
        if isinstance(item, dict):
            yield number, _kept(item)
        else:
            yield number, f"a row must be a JSON object, not {_kind(item)}"


def _lines(text: str) -> Iterator[RowItem]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            yield number, None
            continue
        try:
            value = _loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not JSON: {exc.msg} at column {exc.colno}"
            continue
        except RecursionError:
            yield number, "not JSON this API reads: nested too deeply"
            continue
        if isinstance(value, dict):
            yield number, _kept(value)
        else:
            yield number, f"a line must be a JSON object, not {_kind(value)}"


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )

"""Request bodies from the internet: decode JSON safely, and keep a capped copy of what was refused.

`decode_json` refuses nesting deeper than `MAX_JSON_DEPTH` before `json.loads` sees the body (an
iterative scan, so no recursion can blow up), catches `RecursionError` anyway, and cleans every string
of NUL characters and lone surrogates (valid JSON escapes that no database or UTF-8 encoder accepts).
"""

from __future__ import annotations

import json
import re
from typing import Any

from dialogue.errors import OpsbotError

MAX_JSON_DEPTH = 64
MAX_KEPT_BODY = 2048  # characters of a refused body kept for inspection

_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE = ord('"')
_BACKSLASH = ord("\\")
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadBody(OpsbotError):
    """A request body that is not what the endpoint takes; `reason` is short and safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in `body`, brackets inside strings not counted."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in _CLOSE:
            depth -= 1
    return deepest


def _clean(text: str) -> str:
    """`text` without NUL characters and with lone surrogates replaced by U+FFFD."""
    text = text.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", text)


def clean_strings(value: Any) -> Any:
    """A copy of decoded JSON with every key and string cleaned (see `_clean`); iterative."""
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = _clean(item)
        elif isinstance(item, list):
            copy = list(item)
            container[key] = copy
            stack.extend((copy, index) for index in range(len(copy)))
        elif isinstance(item, dict):
            copy_dict = {_clean(k) if isinstance(k, str) else k: v for k, v in item.items()}
            container[key] = copy_dict
            stack.extend((copy_dict, k) for k in copy_dict)
    return root[0]


def decode_json(body: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Decode a request body as JSON; BadBody for anything that is not JSON or nests too deep."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if json_depth(raw) > max_depth:
        raise BadBody(f"nested deeper than {max_depth} levels")
    try:
        data = json.loads(raw)
    except RecursionError:
        raise BadBody("nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadBody(f"not JSON ({type(exc).__name__})") from None
    return clean_strings(data) if b"\\u" in raw else data


def kept_body(body: bytes | str, limit: int = MAX_KEPT_BODY) -> str:
    """At most `limit` characters of a body, as text, for a RejectedUpdate."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = _clean(text)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters)"

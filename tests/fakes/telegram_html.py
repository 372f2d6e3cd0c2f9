"""Telegram's HTML parse mode, strictly enough to catch unescaped text (for the fake Bot API)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_BARE_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class _HtmlChecker(HTMLParser):
    """Telegram's HTML rules, strictly enough to catch unescaped text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'unmatched end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(text: str, parse_mode: str) -> tuple[str, str]:
    """(visible text, error) for a message text as Telegram would parse it."""
    if parse_mode.upper() != "HTML":
        return text, ""
    if _BARE_AMPERSAND.search(text):
        return "", "Bad Request: can't parse entities: unsupported start of entity"
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.error or checker.stack:
        detail = checker.error or f'can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
        return "", f"Bad Request: can't parse entities: {detail}"
    return html.unescape("".join(checker.text)), ""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2

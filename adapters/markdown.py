"""Light Markdown (the core's `format="markdown"`) parsed once, rendered in each platform's markup.

The light Markdown is `**bold**`, `_italic_` (or `*italic*`), `~~strike~~`, `` `code` ``, fenced code
blocks and `[label](url)`; anything else (headings, lists, HTML) is plain text. It is parsed with
markdown-it-py (the CommonMark reference parser's Python port) restricted to those rules, and a
`Style` turns the tokens into Telegram HTML, Slack mrkdwn or plain text. Long sources are split at
block, then line boundaries *before* rendering, so no part ever cuts through a tag.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from adapters.text import split_lines, split_text, utf16_len

_RULES = ["emphasis", "strikethrough", "backticks", "fence", "link", "escape", "newline"]
_PARSER = MarkdownIt("zero").enable(_RULES)
_FENCE = "```"


@dataclass(frozen=True, slots=True)
class Style:
    """How one platform writes each piece of light Markdown."""

    text: Callable[[str], str]  # escape plain text
    strong: tuple[str, str]
    em: tuple[str, str]
    strike: tuple[str, str]
    code: Callable[[str], str]
    fence: Callable[[str], str]
    link: Callable[[str, str], str]  # (url, rendered label) -> markup


def _plain_link(url: str, label: str) -> str:
    return label if not label or label == url or url.removeprefix("mailto:") == label else f"{label} ({url})"


PLAIN = Style(
    text=lambda text: text,
    strong=("", ""),
    em=("", ""),
    strike=("", ""),
    code=lambda code: code,
    fence=lambda code: code,
    link=_plain_link,
)


def _inline(tokens: Sequence[Token], style: Style) -> str:
    out: list[str] = []
    links: list[tuple[str, int]] = []  # (url, index in out where the label starts)
    pairs = {"strong": style.strong, "em": style.em, "s": style.strike}
    for token in tokens:
        kind = token.type
        if kind == "text":
            out.append(style.text(token.content))
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "code_inline":
            out.append(style.code(token.content))
        elif kind == "link_open":
            links.append((str(token.attrs.get("href", "")), len(out)))
        elif kind == "link_close" and links:
            url, start = links.pop()
            label = "".join(out[start:])
            del out[start:]
            out.append(style.link(url, label))
        elif kind.endswith("_open") and kind[:-5] in pairs:
            out.append(pairs[kind[:-5]][0])
        elif kind.endswith("_close") and kind[:-6] in pairs:
            out.append(pairs[kind[:-6]][1])
        else:
            out.append(style.text(token.content))
    return "".join(out)


def render(source: str, style: Style) -> str:
    """`source` in `style`; blocks are separated by a blank line."""
    blocks: list[str] = []
    for token in _PARSER.parse(source):
        if token.type == "inline":
            blocks.append(_inline(token.children or [], style))
        elif token.type in ("fence", "code_block"):
            blocks.append(style.fence(token.content.removesuffix("\n")))
    return "\n\n".join(block for block in blocks if block)


def to_plain(source: str) -> str:
    """The text a reader sees, with the formatting marks removed (links as "label (url)")."""
    return render(source, PLAIN)


def _blocks(source: str) -> list[tuple[str, bool]]:
    """The top-level blocks of `source` as (their source lines, is a code fence)."""
    lines = source.split("\n")
    blocks: list[tuple[str, bool]] = []
    for token in _PARSER.parse(source):
        if token.level == 0 and token.map is not None and token.type in ("paragraph_open", "fence"):
            start, end = token.map
            blocks.append(("\n".join(lines[start:end]), token.type == "fence"))
    return blocks


def _split_fence(block: str, limit: int) -> list[str]:
    """A fence too long for one part, as several fences of its lines."""
    lines = block.split("\n")
    body = "\n".join(lines[1:-1] if lines[-1].strip().startswith(_FENCE) else lines[1:])
    room = max(1, limit - 8)
    return [f"{_FENCE}\n{piece}\n{_FENCE}" for piece in split_lines(body, room)]


def split_markdown(source: str, limit: int) -> list[str]:
    """Light Markdown sources whose rendered text is at most `limit` (UTF-16) each, in order.

    Blocks join while they fit; a longer paragraph is split at lines or words, a longer code fence
    into several fences. Each piece is complete Markdown, so it renders without broken markup.
    """
    parts: list[str] = []
    current, current_len = "", 0
    for block, is_fence in _blocks(source):
        length = utf16_len(to_plain(block))
        if current and current_len + 2 + length <= limit:
            current, current_len = f"{current}\n\n{block}", current_len + 2 + length
            continue
        if current:
            parts.append(current)
        if length <= limit:
            current, current_len = block, length
            continue
        pieces = _split_fence(block, limit) if is_fence else split_text(block, limit)
        parts.extend(pieces[:-1])
        current, current_len = pieces[-1], utf16_len(to_plain(pieces[-1]))
    if current:
        parts.append(current)
    return parts

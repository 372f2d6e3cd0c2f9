"""Slack mrkdwn <-> the core's light Markdown (pure).

Inbound, `to_markdown` keeps what a person formatted: `*b*` -> `**b**`, `_i_`, `~s~` -> `~~s~~`, code
and code blocks as they are, `<url|label>` -> `[label](url)`, `<url>` -> url, `<#C1|name>` -> `#name`,
`<!here>` -> `@here`, `&amp; &lt; &gt;` unescaped, user mentions kept as `<@U123>` (the core resolves
them to names) and emoji shortcodes as Unicode (the `emoji` library's aliases, plus Slack's skin
tones). Outbound, `from_markdown` renders light Markdown as mrkdwn with the shared Markdown parser.

There is no maintained mrkdwn parser for Python, so the inbound side is a small tokenizer: markup
in angle brackets and code are lifted out first (into private-use placeholders), so that bold and
emoji rules never touch a URL or code, then put back.
"""

from __future__ import annotations

import html
import re

import emoji

from adapters.markdown import Style, render

_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)
_MARKUP = re.compile(r"<([^<>\n]+)>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_SKIN_TONE = re.compile(r":skin-tone-([2-6]):")
_PLACEHOLDER = re.compile("[\ue000-\uf8ff]")
_FIRST_PLACEHOLDER = 0xE000
_MAX_PLACEHOLDERS = 0xF8FF - 0xE000


def _markup(inner: str) -> str:
    """One `<...>` element of mrkdwn as light Markdown."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return f"<{target}>"
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!subteam^"):
        return label if label.startswith("@") else "@" + (label or target[len("!subteam^") :])
    if target.startswith("!date^"):
        return label or target
    if target.startswith("!"):
        return "@" + (label or target[1:])
    url = html.unescape(target)
    text = _emoji(html.unescape(label))
    if not text or text == url or url.removeprefix("mailto:") == text:
        return text or url
    return f"[{text}]({url})"


def _emoji(text: str) -> str:
    """Shortcodes as Unicode: the `emoji` library's aliases, then Slack's skin-tone modifiers."""
    text = emoji.emojize(text, language="alias")
    return _SKIN_TONE.sub(lambda m: chr(0x1F3FB + int(m.group(1)) - 2), text)


def to_markdown(text: str) -> str:
    """Slack mrkdwn as light Markdown, emoji shortcodes as Unicode (see the module docstring)."""
    if not text:
        return ""
    text = _PLACEHOLDER.sub("", text)  # private-use characters are ours for the moment
    kept: list[str] = []

    def hold(value: str) -> str:
        if len(kept) >= _MAX_PLACEHOLDERS:
            return value
        kept.append(value)
        return chr(_FIRST_PLACEHOLDER + len(kept) - 1)

    text = _CODE.sub(lambda m: hold(html.unescape(m.group(0))), text)
    text = _MARKUP.sub(lambda m: hold(_markup(m.group(1))), text)
    text = _emoji(text)
    text = _BOLD.sub(r"**\1**", text)
    text = _STRIKE.sub(r"~~\1~~", text)
    text = html.unescape(text) if "&" in text else text
    return _PLACEHOLDER.sub(lambda m: kept[ord(m.group(0)) - _FIRST_PLACEHOLDER], text)


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str, label: str) -> str:
    safe_url = escape(url).replace("|", "%7C")
    if not label or label == safe_url:
        return f"<{safe_url}>"
    return f"<{safe_url}|{label.replace('|', '¦')}>"


MRKDWN = Style(
    text=escape,
    strong=("*", "*"),
    em=("_", "_"),
    strike=("~", "~"),
    code=lambda code: f"`{escape(code)}`",
    fence=lambda code: f"```\n{escape(code)}\n```",
    link=_link,
)


def from_markdown(source: str) -> str:
    """Light Markdown as Slack mrkdwn (text escaped, formatting in Slack's marks)."""
    return render(source, MRKDWN)

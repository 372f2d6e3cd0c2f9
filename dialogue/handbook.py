"""A handbook: a folder of Markdown files, in English and Chinese, split by heading into knowledge entries.

    ---
    topic: policy            # optional front matter: language, topic
    ---
    # Payments               # the file's title (cited before the entry's heading)

    ## Payment terms {#payment_terms}

    offer: our payment terms  # optional: how a clarification offers the entry

    Our standard payment terms are net 30 days ...

    Questions:
    - What are your payment terms?

Each `##` heading (the `level`) starts one entry; its text is the answer, deeper headings stay in it.
The id is the heading's `{#id}` attribute, else a slug of the heading; the same id in English and
Chinese is one entry in two languages. A file's language comes from its front matter, a filename
suffix (`payments.zh.md`), a folder named `en/` or `zh/`, else from its text. Headings and lists are
read by markdown-it-py (CommonMark).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from dialogue.faq import LANGUAGES, FaqEntry, KnowledgeBaseError
from nlu.language import detect_language

logger = logging.getLogger(__name__)

DEMO_HANDBOOK = Path(__file__).resolve().parent / "data" / "handbook"
SUFFIXES = (".md", ".markdown")
DEFAULT_TOPIC = "policy"

_ID_ATTRIBUTE = re.compile(r"\s*\{#([^\s{}]+)\}\s*$")
_QUESTIONS = re.compile(
    r"^(?:example\s+)?questions?\s*[:：]$|^(?:问题|例句|示例问题)\s*[:：]$", re.IGNORECASE
)
_META = re.compile(r"^(offer|topic)\s*[:：]\s*(.+)$", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class HandbookError(KnowledgeBaseError):
    """The handbook cannot be read: no folder, no entries, an id used twice, a bad front matter."""


@dataclass(frozen=True, slots=True)
class Handbook:
    entries: tuple[FaqEntry, ...]
    warnings: tuple[str, ...]  # sections and files skipped, with where and why

    @property
    def version(self) -> str:
        """A hash of the entries' content: the same handbook gives the same version."""
        return handbook_version(self.entries)


def slug(heading: str) -> str:
    """`Payment terms` -> `payment_terms`; letters of any script are kept (`付款条件`)."""
    text = unicodedata.normalize("NFKC", heading).casefold()
    return re.sub(r"[^\w]+", "_", text).strip("_")


def handbook_version(entries: Sequence[FaqEntry]) -> str:
    blob = json.dumps([asdict(e) for e in entries], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def load_faq(folder: str | Path | None = None) -> list[FaqEntry]:
    """The entries of the handbook in `folder` (default: the demo's handbook)."""
    return list(read_handbook(folder or DEMO_HANDBOOK).entries)


def read_handbook(folder: str | Path, *, level: int = 2) -> Handbook:
    """Every Markdown file under `folder`, English files first, each in path order."""
    root = Path(folder)
    if not root.is_dir():
        raise HandbookError(f"{root}: no such handbook folder")
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES]
    if not files:
        raise HandbookError(f"{root}: no Markdown files (*.md)")
    parsed: list[tuple[str, str, list[FaqEntry]]] = []
    warnings: list[str] = []
    for path in files:
        source = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise HandbookError(f"{source}: {exc}") from exc
        entries, problems = parse_markdown(text, source=source, level=level)
        parsed.append((entries[0].language if entries else "", source, entries))
        warnings.extend(problems)
    order = {lang: i for i, lang in enumerate(LANGUAGES)}
    parsed.sort(key=lambda item: (order.get(item[0], len(order)), item[1]))
    entries = [e for _, _, file_entries in parsed for e in file_entries]
    seen: dict[tuple[str, str], FaqEntry] = {}
    for entry in entries:
        first = seen.setdefault((entry.language, entry.id), entry)
        if first is not entry:
            raise HandbookError(
                f"{entry.source}: id {entry.id!r} ({entry.language}) is already used by "
                f"{first.source} › {first.heading}; give one of them another {{#id}}"
            )
    if not entries:
        raise HandbookError(f"{root}: no entries (a `{'#' * level}` heading with text under it)")
    for warning in warnings:
        logger.warning("handbook: %s", warning)
    return Handbook(tuple(entries), tuple(warnings))


def parse_markdown(text: str, *, source: str, level: int = 2) -> tuple[list[FaqEntry], list[str]]:
    """The entries of one Markdown file, and warnings for what was skipped."""
    meta, body, offset = _front_matter(text, source)
    language = _language(source, meta, body)
    topic = str(meta.get("topic") or DEFAULT_TOPIC)
    lines = body.splitlines()
    tokens = MarkdownIt("commonmark").parse(body)
    warnings: list[str] = []
    title = ""
    sections: list[_Section] = []
    stray: list[int] = []
    for i, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or token.map is None:
            continue
        depth = int(token.tag[1]) if token.type == "heading_open" else 0
        if depth and depth < level:
            title = _inline(tokens, i)
            if sections:  # a new chapter: later entries are cited under its title
                sections.append(_Section("", -1, title, []))
            continue
        if depth == level:
            sections.append(_Section(_inline(tokens, i), token.map[0] + 1 + offset, title, []))
            continue
        current = sections[-1] if sections and sections[-1].line >= 0 else None
        if current is None:
            stray.append(token.map[0] + 1 + offset)
            continue
        current.blocks.append((i, token))
    if stray:
        warnings.append(
            f"{source}:{stray[0]}: text before the first {'#' * level} heading is not part of any entry"
        )
    if not any(s.line >= 0 for s in sections):
        warnings.append(f"{source}: no {'#' * level} headings, so no entries: skipped")
        return [], warnings
    entries = []
    for section in sections:
        if section.line < 0:
            continue
        entry = _entry(section, tokens, lines, source=source, language=language, topic=topic)
        if entry is None:
            warnings.append(f"{source}:{section.line}: section {section.heading!r} has no text: skipped")
        else:
            entries.append(entry)
    return entries, warnings


@dataclass(slots=True)
class _Section:
    heading: str  # as written, with its {#id}
    line: int  # 1-based line of the heading; -1 marks a chapter break
    title: str
    blocks: list[tuple[int, Token]]


def _entry(
    section: _Section, tokens: list[Token], lines: list[str], *, source: str, language: str, topic: str
) -> FaqEntry | None:
    heading = section.heading
    explicit = _ID_ATTRIBUTE.search(heading)
    if explicit:
        heading = heading[: explicit.start()].strip()
    entry_id = explicit.group(1) if explicit else slug(heading)
    if not entry_id:
        raise HandbookError(f"{source}:{section.line}: heading {heading!r} gives no id; add {{#an_id}}")
    questions: list[str] = []
    answer: list[str] = []
    offer = ""
    blocks = section.blocks
    skip: set[int] = set()
    for n, (i, token) in enumerate(blocks):
        if n in skip:
            continue
        if token.type == "paragraph_open":
            content = _inline(tokens, i)
            following = blocks[n + 1][1] if n + 1 < len(blocks) else None
            if _QUESTIONS.match(content) and following is not None and following.type.endswith("list_open"):
                questions.extend(_list_items(tokens, blocks[n + 1][0]))
                skip.add(n + 1)
                continue
            meta = [_META.match(line.strip()) for line in content.splitlines()]
            if meta and all(meta):
                for match in meta:
                    assert match is not None
                    if match.group(1).lower() == "offer":
                        offer = match.group(2).strip()
                    else:
                        topic = match.group(2).strip()
                continue
            answer.append(content.strip())
            continue
        assert token.map is not None
        answer.append("\n".join(lines[token.map[0] : token.map[1]]).strip())
    text = "\n\n".join(part for part in answer if part)
    if not text:
        return None
    return FaqEntry(
        id=entry_id,
        language=language,
        topic=topic,
        questions=tuple(questions) or (heading,),
        answer=text,
        offer=offer,
        source=source,
        heading=heading,
        title=section.title,
    )


def _inline(tokens: list[Token], opening: int) -> str:
    inline = tokens[opening + 1] if opening + 1 < len(tokens) else None
    return inline.content.strip() if inline is not None and inline.type == "inline" else ""


def _list_items(tokens: list[Token], opening: int) -> list[str]:
    """The text of each item of the list that opens at `opening`."""
    items: list[str] = []
    depth = tokens[opening].level
    for i in range(opening + 1, len(tokens)):
        token = tokens[i]
        if token.level == depth and token.nesting == -1:
            break
        if token.type == "inline" and token.level == depth + 3 and token.content.strip():
            items.append(token.content.strip())
    return items


def _front_matter(text: str, source: str) -> tuple[dict[str, Any], str, int]:
    """(front matter, the text after it, how many lines it took)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text, 0
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise HandbookError(f"{source}: front matter: {exc}") from exc
    if not isinstance(meta, dict):
        raise HandbookError(f"{source}: front matter must be `key: value` lines")
    return meta, text[match.end() :], match.group(0).count("\n")


def _language(source: str, meta: dict[str, Any], body: str) -> str:
    """Front matter, then a `.zh.md` suffix, then an `en/` or `zh/` folder, else the text's language."""
    stated = meta.get("language") or meta.get("lang")
    if stated:
        code = str(stated).strip().lower().split("-")[0]
        if code not in LANGUAGES:
            raise HandbookError(f"{source}: language {stated!r} is not one of {', '.join(LANGUAGES)}")
        return code
    parts = source.split("/")
    name_parts = parts[-1].split(".")
    if len(name_parts) >= 3 and name_parts[-2].lower() in LANGUAGES:
        return name_parts[-2].lower()
    for folder in reversed(parts[:-1]):
        if folder.lower() in LANGUAGES:
            return folder.lower()
    return detect_language(body, LANGUAGES[0])

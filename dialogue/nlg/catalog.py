"""The outcome catalog (dialogue/data/outcomes.yml): facts per outcome and fallback templates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from dialogue.errors import OpsbotError

LANGUAGES: tuple[str, ...] = ("en", "zh")
PRODUCT_OUTCOME = "product_description"

SEGMENT_OPEN, SEGMENT_CLOSE = "{", "}"  # around an optional clause: "Hello{ [user_name]}!"
PLACEHOLDER_RE = re.compile(r"\[([a-z][a-z0-9_]*)\]")
_SEGMENT_RE = re.compile(r"\{([^{}]*)\}")


class CatalogError(OpsbotError):
    """The outcome catalog or the reply corpus is malformed, or an outcome is unknown."""


def placeholders(text: str) -> list[str]:
    """Placeholder names in order of appearance, e.g. ['order_id', 'eta']."""
    return PLACEHOLDER_RE.findall(text)


def expand(template: str, present: Iterable[str]) -> str:
    """Keep each {segment} whose placeholders are all present; drop the others; tidy punctuation."""
    have = set(present)

    def keep(match: re.Match[str]) -> str:
        inner = match.group(1)
        return inner if set(placeholders(inner)) <= have else ""

    return tidy(_SEGMENT_RE.sub(keep, template))


def mark(template: str, present: Iterable[str]) -> str:
    """Like `expand`, but each kept {segment} keeps its braces: the training target of the reply model,
    which so learns which clause carries an optional fact ("Hello{ [user_name]}! How can I help?")."""
    have = set(present)

    def keep(match: re.Match[str]) -> str:
        inner = match.group(1)
        return "{" + inner + "}" if set(placeholders(inner)) <= have else ""

    return tidy(_SEGMENT_RE.sub(keep, template))


# A short labelled clause that states one fact and nothing else: "Expected delivery: [eta]." or
# "预计 [eta] 送达。"; a sentence with a meaning of its own ("Invoice [invoice_id] is paid.") is not one.
_CLAUSE = {
    "en": re.compile(r"[A-Z][a-z]+(?: [a-z]+)?:? \[[a-z_]+\]\."),
    "zh": re.compile(r"[\u4e00-\u9fff]{1,4}[：]? ?\[[a-z_]+\] ?[\u4e00-\u9fff]{0,2}。"),
}
_CLAUSE_SPLIT = {"en": re.compile(r"(?<=[.?!])\s+|\n+|;\s*"), "zh": re.compile(r"(?<=[。？！])|\n+|，|；")}


def labelled_clauses(text: str, language: str) -> list[tuple[str, str]]:
    """(fact, clause) for each labelled one-fact clause of a delexicalized reply."""
    pattern = _CLAUSE.get(language)
    if pattern is None:
        return []
    found: list[tuple[str, str]] = []
    for part in _CLAUSE_SPLIT[language].split(text):
        part = part.strip()
        names = placeholders(part)
        if len(names) == 1 and pattern.fullmatch(part):
            found.append((names[0], part))
    return found


def realise(output: str, given: Iterable[str]) -> str:
    """The reply a model output with marked clauses stands for: keep each {segment} whose facts are all
    given, drop the others (the rule of the corpus templates). Text without braces is returned as is."""
    if SEGMENT_OPEN not in output and SEGMENT_CLOSE not in output:
        return output
    return expand(output, given)


def tidy(text: str) -> str:
    """Repair punctuation left behind by dropped segments."""
    text = re.sub(r"[ \t]+([.,;:?!)])", r"\1", text)
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r"。[，。]+", "。", text)
    text = re.sub(r"，。", "。", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return text.strip(" \t")


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()
    fallback: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    template_only: bool = False  # long, data-driven replies: always the template, never the model

    @property
    def facts(self) -> tuple[str, ...]:
        return self.required + self.optional

    def present_facts(self, given: Iterable[str]) -> tuple[str, ...]:
        """The outcome's facts that are given, in catalog order."""
        have = set(given)
        return tuple(f for f in self.facts if f in have)

    def fact_combinations(self) -> list[tuple[str, ...]]:
        """Every set of facts this outcome can be rendered with (required + any optional subset)."""
        combos: list[tuple[str, ...]] = []
        for size in range(len(self.optional) + 1):
            for extra in combinations(self.optional, size):
                combos.append(self.present_facts(self.required + extra))
        return combos


@dataclass(frozen=True, slots=True)
class Catalog:
    outcomes: Mapping[str, Outcome]
    fact_kinds: Mapping[str, str]  # fact name -> money | date | quantity | percent | count | status
    status_labels: Mapping[str, Mapping[str, str]]  # status code -> language -> label

    def get(self, name: str) -> Outcome:
        try:
            return self.outcomes[name]
        except KeyError:
            raise CatalogError(f"unknown outcome {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.outcomes

    @property
    def all_placeholders(self) -> tuple[str, ...]:
        names = {f for o in self.outcomes.values() for f in o.facts}
        return tuple(sorted(names))

    def fallback(self, name: str, language: str, given: Iterable[str]) -> str:
        """The first fallback template of the outcome, expanded for the given facts."""
        outcome = self.get(name)
        templates = outcome.fallback.get(language) or outcome.fallback["en"]
        return expand(templates[0], outcome.present_facts(given))


def _str_tuple(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(f"{where}: expected a list of strings")
    return tuple(value)


def load_catalog(data_dir: str | Path) -> Catalog:
    """Load and validate dialogue/data/outcomes.yml."""
    path = Path(data_dir) / "outcomes.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("outcomes"), dict):
        raise CatalogError(f"{path}: needs a mapping `outcomes`")
    kinds: dict[str, str] = {}
    for kind, names in (raw.get("fact_kinds") or {}).items():
        for name in _str_tuple(names, f"{path}: fact_kinds.{kind}"):
            kinds[name] = str(kind)
    labels: dict[str, dict[str, str]] = {
        str(code): {str(k): str(v) for k, v in per_lang.items()}
        for code, per_lang in (raw.get("status_labels") or {}).items()
    }
    outcomes: dict[str, Outcome] = {}
    for name, spec in raw["outcomes"].items():
        where = f"{path}: outcomes.{name}"
        spec = spec or {}
        fallback_raw = spec.get("fallback") or {}
        fallback = {
            lang: _str_tuple(fallback_raw.get(lang), f"{where}.fallback.{lang}") for lang in LANGUAGES
        }
        outcome = Outcome(
            name=str(name),
            required=_str_tuple(spec.get("required"), f"{where}.required"),
            optional=_str_tuple(spec.get("optional"), f"{where}.optional"),
            blocks=_str_tuple(spec.get("blocks"), f"{where}.blocks"),
            fallback=fallback,
            template_only=bool(spec.get("template_only", False)),
        )
        for lang in LANGUAGES:
            if not fallback[lang]:
                raise CatalogError(f"{where}.fallback.{lang}: at least one template is required")
            for template in fallback[lang]:
                validate_template(outcome, template, f"{where}.fallback.{lang}")
        outcomes[outcome.name] = outcome
    return Catalog(outcomes=outcomes, fact_kinds=kinds, status_labels=labels)


def validate_template(outcome: Outcome, template: str, where: str) -> None:
    """A template may use only the outcome's facts and must use every required one outside segments."""
    used = set(placeholders(template))
    unknown = used - set(outcome.facts)
    if unknown:
        raise CatalogError(f"{where}: unknown placeholders {sorted(unknown)} in {template!r}")
    for combo in outcome.fact_combinations():
        got = set(placeholders(expand(template, combo)))
        if got != set(combo):
            raise CatalogError(
                f"{where}: {template!r} with facts {list(combo)} yields placeholders {sorted(got)}"
            )
    if re.search(r"[0-9０-９]", _SEGMENT_RE.sub("", PLACEHOLDER_RE.sub("", template))):
        raise CatalogError(f"{where}: a template must not contain digits: {template!r}")

"""The reply corpus: loading, expansion into training rows, the held-out split and the data hash."""

from __future__ import annotations

import hashlib
import random
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dialogue.nlg.catalog import (
    LANGUAGES,
    PRODUCT_OUTCOME,
    SEGMENT_CLOSE,
    SEGMENT_OPEN,
    Catalog,
    CatalogError,
    expand,
    labelled_clauses,
    load_catalog,
    mark,
    validate_template,
)

# Fact combinations that training never sees (both languages). Chosen so that each can only be
# rendered by composing what other outcomes teach: an optional fact present or absent.
HELD_OUT_COMBOS: dict[str, tuple[str, ...]] = {
    "order_pending": ("order_id", "status", "eta"),
    "escalation_exists": ("ticket_id",),
    "complaint_escalated": (),
    "greeting": (),
    "invoice_list": ("count", "order_id"),
}
# Share of product-description attribute combinations held out (chosen by a stable hash).
PRODUCT_HELD_OUT_EVERY = 6

CORPUS_FILES = (
    "outcomes.yml",
    "replies_en.yml",
    "replies_zh.yml",
    "product_attributes.yml",
)


@dataclass(frozen=True, slots=True)
class ProductTables:
    names: tuple[str, ...]
    sizes: tuple[str, ...]
    translations: Mapping[str, Mapping[str, str]]  # attribute -> english value -> chinese value

    def localize(self, attribute: str, value: str, language: str) -> str:
        """Render a known attribute value in the language; unknown values are returned as given."""
        table = self.translations.get(attribute, {})
        key = value.strip()
        if language == "zh":
            for en, zh in table.items():
                if en.lower() == key.lower():
                    return zh
        else:
            for en, zh in table.items():
                if zh == key:
                    return en
        return key


@dataclass(frozen=True, slots=True)
class Corpus:
    catalog: Catalog
    variants: Mapping[tuple[str, str], tuple[str, ...]]  # (outcome, language) -> templates
    products: ProductTables

    max_variants: int = 2

    def trained_variants(self, outcome: str, language: str) -> int:
        """How many phrasings of (outcome, language) the model learns: the first `max_variants`,
        never the last one (held out as a reference)."""
        count = len(self.variants.get((outcome, language), ()))
        return max(1, min(self.max_variants, MAX_VARIANTS, count - 1 if count > 1 else count))


@dataclass(frozen=True, slots=True)
class Row:
    outcome: str
    language: str
    facts: tuple[str, ...]
    target: str  # delexicalized reply; the clauses of optional facts marked as {segments}
    variant: int


@dataclass(frozen=True, slots=True)
class EvalItem:
    outcome: str
    language: str
    facts: tuple[str, ...]
    references: tuple[str, ...]
    unseen_combo: bool


@dataclass(frozen=True, slots=True)
class Split:
    train: tuple[Row, ...]
    evaluation: tuple[EvalItem, ...]


MAX_VARIANTS = 16
NO_FACT = "<nofact>"  # fills the decoder prompt up to a fixed length


def model_input(outcome: str, facts: Iterable[str], language: str, variant: int = 0) -> str:
    """The seq2seq input, e.g. '<order_shipped><en><v2>[order_id][carrier][eta]'.

    The variant token selects one phrasing, so the output is deterministic given the input.
    """
    return "".join(
        [f"<{outcome}>", f"<{language}>", f"<v{variant % MAX_VARIANTS}>", *(f"[{f}]" for f in facts)]
    )


def control_tokens(catalog: Catalog) -> list[str]:
    """Tokens the tokenizer keeps whole: outcomes, languages, variants and every [placeholder]."""
    return (
        [f"<{name}>" for name in catalog.outcomes]
        + [f"<{lang}>" for lang in LANGUAGES]
        + [f"<v{i}>" for i in range(MAX_VARIANTS)]
        + [NO_FACT, SEGMENT_OPEN, SEGMENT_CLOSE]
        + [f"[{p}]" for p in catalog.all_placeholders]
    )


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc


def load_corpus(data_dir: str | Path, *, max_variants: int = 2) -> Corpus:
    """Load the catalog, reply variants and product tables; validate every variant."""
    data = Path(data_dir)
    catalog = load_catalog(data)
    variants: dict[tuple[str, str], tuple[str, ...]] = {}
    for lang in LANGUAGES:
        raw = _load_yaml(data / f"replies_{lang}.yml") or {}
        for name, texts in raw.items():
            outcome = catalog.get(str(name))
            for text in texts:
                validate_template(outcome, str(text), f"replies_{lang}.yml: {name}")
            variants[(outcome.name, lang)] = tuple(str(t) for t in texts)
    for name, spec in catalog.outcomes.items():
        for lang in LANGUAGES:
            if spec.template_only:  # rendered from its templates only: its phrasings are the templates
                variants[(name, lang)] = spec.fallback[lang]
            if not variants.get((name, lang)):
                raise CatalogError(f"outcome {name!r} has no {lang} reply variants")
    attrs = _load_yaml(data / "product_attributes.yml") or {}
    tables = ProductTables(
        names=tuple(str(n) for n in attrs.get("names") or ()),
        sizes=tuple(str(s) for s in attrs.get("sizes") or ()),
        translations={
            "category": dict(attrs.get("categories") or {}),
            "material": dict(attrs.get("materials") or {}),
            "color": dict(attrs.get("colors") or {}),
            "features": dict(attrs.get("features") or {}),
        },
    )
    return Corpus(catalog=catalog, variants=variants, products=tables, max_variants=max_variants)


def data_hash(data_dir: str | Path, recipe: str = "") -> str:
    """Hash of the corpus files and the training recipe; a change triggers retraining."""
    digest = hashlib.sha256(recipe.encode())
    data = Path(data_dir)
    for name in CORPUS_FILES:
        path = data / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def held_out(outcome: str, combo: Sequence[str]) -> bool:
    """A fact combination training never sees (both languages)."""
    if outcome == PRODUCT_OUTCOME:
        return zlib.crc32(" ".join(combo).encode()) % PRODUCT_HELD_OUT_EVERY == 0 and len(combo) > 1
    held = HELD_OUT_COMBOS.get(outcome)
    return held is not None and tuple(sorted(held)) == tuple(sorted(combo))


def split_corpus(corpus: Corpus) -> Split:
    """Train rows and held-out evaluation items.

    Held out: (1) the fact combinations in HELD_OUT_COMBOS and one in six product attribute
    combinations, in both languages, with every variant; (2) the last variant of every
    (outcome, language), which serves only as a reference for the combinations that are trained.
    Training uses the first `corpus.max_variants` phrasings of each (outcome, language); the default
    (16) is every phrasing but the held-out last one. A training target keeps the braces of the
    optional clauses it holds (`mark`); the model's output is realised with `expand` like a template.
    """
    train: list[Row] = []
    evaluation: list[EvalItem] = []
    for (name, lang), templates in sorted(corpus.variants.items()):
        outcome = corpus.catalog.get(name)
        if outcome.template_only:
            continue
        keep = corpus.trained_variants(name, lang)
        for combo in outcome.fact_combinations():
            expanded = [expand(t, combo) for t in templates]
            if held_out(name, combo):
                refs = tuple(dict.fromkeys(expanded))
                evaluation.append(EvalItem(name, lang, combo, refs, unseen_combo=True))
                continue
            train.extend(
                Row(name, lang, combo, mark(text, combo), i) for i, text in enumerate(templates[:keep])
            )
            if len(expanded) > 1:
                evaluation.append(EvalItem(name, lang, combo, (expanded[-1],), unseen_combo=False))
    return Split(train=tuple(train), evaluation=tuple(evaluation))


_ENDS_SENTENCE = re.compile(r"[.?!。？！]$")


def clause_bank(rows: Sequence[Row]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(language, fact) -> [(outcome, clause)]: the labelled one-fact clauses in training targets."""
    bank: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in rows:
        if row.outcome == PRODUCT_OUTCOME:
            continue
        for name, clause in labelled_clauses(expand(row.target, row.facts), row.language):
            entry = (row.outcome, clause)
            clauses = bank.setdefault((row.language, name), [])
            if entry not in clauses:
                clauses.append(entry)
    return bank


def transplant_rows(corpus: Corpus, rows: Sequence[Row], *, share: float, seed: int = 0) -> list[Row]:
    """Synthetic rows that teach how an extra fact is said: a training reply plus, as a marked
    {segment}, a labelled clause for a fact that its outcome does not have, taken from another
    outcome's training replies ("...in stock.{ Expected delivery: [eta].}").

    This is compositional data augmentation in the manner of GECA (Andreas, ACL 2020): a reply for a
    fact combination the model never saw (an order still pending, with its ETA) is built from parts it
    did see. Only training rows are used, and a fact is only ever added to an outcome that does not
    have it, so no held-out fact combination (nor its phrasing) is ever made.
    """
    bank = clause_bank(rows)
    rng = random.Random(seed)
    extra: list[Row] = []
    for row in rows:
        if row.outcome == PRODUCT_OUTCOME or rng.random() >= share:
            continue
        target = row.target
        if not _ENDS_SENTENCE.search(target):
            continue
        own = set(corpus.catalog.get(row.outcome).facts)
        choices = [
            (fact, clause)
            for (language, fact), clauses in bank.items()
            if language == row.language and fact not in own
            for source, clause in clauses
            if source != row.outcome
        ]
        if not choices:
            continue
        fact, clause = rng.choice(choices)
        space = " " if row.language == "en" else ""
        marked = f"{target}{SEGMENT_OPEN}{space}{clause}{SEGMENT_CLOSE}"
        extra.append(Row(row.outcome, row.language, (*row.facts, fact), marked, row.variant))
    return extra

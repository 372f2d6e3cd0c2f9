"""The contract's three faces agree: the models, the committed JSON Schemas, and docs/data.md."""

from __future__ import annotations

from pathlib import Path

from bot.dataio.contract import EXAMPLES
from bot.dataio.entities import ENTITIES
from bot.dataio.schemas import schema_files


def test_the_committed_schemas_are_those_the_models_generate(repo_root: Path) -> None:
    folder = repo_root / "docs" / "schemas"
    assert {p.name for p in folder.glob("*.schema.json")} == set(schema_files())
    for name, text in schema_files().items():
        assert (folder / name).read_text(encoding="utf-8") == text, f"{name}: run `opsbot data schema`"


def test_docs_list_every_field_of_every_entity(repo_root: Path) -> None:
    doc = (repo_root / "docs" / "data.md").read_text(encoding="utf-8")
    for entity in ENTITIES:
        section = doc.split(f"## `{entity.name}`", 1)[1].split("\n## ", 1)[0]
        for field in entity.model.model_fields:
            assert f"| `{field}` |" in section, f"docs/data.md: {entity.name}.{field} is missing"


def test_every_example_is_valid() -> None:
    for entity in ENTITIES:
        entity.model.model_validate(EXAMPLES[entity.name])

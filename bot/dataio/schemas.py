"""JSON Schemas of the data contract, generated from its models (`opsbot data schema`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.dataio.contract import EXAMPLES
from bot.dataio.entities import ENTITIES

SCHEMA_ID = "https://opsbot.example/schemas/{name}.schema.json"


def json_schemas() -> dict[str, dict[str, Any]]:
    """Each entity's JSON Schema (draft 2020-12, as pydantic writes it), with its example."""
    schemas: dict[str, dict[str, Any]] = {}
    for entity in ENTITIES:
        schema = entity.model.model_json_schema(mode="validation")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_ID.format(name=entity.name),
            **schema,
            "title": entity.name,
            "x-key": list(entity.key),
            "examples": [EXAMPLES[entity.name]],
        }
        schemas[entity.name] = schema
    return schemas


def schema_files() -> dict[str, str]:
    """File name -> text of each schema, as committed under docs/schemas/."""
    return {
        f"{name}.schema.json": json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        for name, schema in json_schemas().items()
    }


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_files().items():
        target = folder / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written

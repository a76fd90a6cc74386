"""JSON Schemas of the input formats, exported to ``schemas/``."""

from __future__ import annotations

import json
from pathlib import Path

from docgen.io import write_atomic
from docgen.models.catalogue import Catalogue
from docgen.models.deal import Deal
from docgen.models.policy import Policy

__all__ = ["SCHEMAS", "export_schemas", "schema_text"]

SCHEMAS = {"deal": Deal, "catalogue": Catalogue, "policy": Policy}


def schema_text(name: str) -> str:
    """The JSON Schema of one format, as stable, pretty JSON."""
    model = SCHEMAS[name]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://docgen.example/schemas/{name}.schema.json"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_schemas(target: Path) -> list[Path]:
    """Write ``<name>.schema.json`` for every format into `target`."""
    paths = []
    for name in SCHEMAS:
        path = target / f"{name}.schema.json"
        write_atomic(path, schema_text(name).encode())
        paths.append(path)
    return paths

"""The committed JSON Schemas in ``schemas/`` are what ``docgen schema export`` writes today."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import cli
from docgen.schemas import SCHEMAS, schema_text

COMMITTED = Path(__file__).resolve().parents[2] / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_is_up_to_date(name: str) -> None:
    path = COMMITTED / f"{name}.schema.json"
    assert path.is_file(), f"{path} is missing: run `docgen schema export`"
    assert path.read_text("utf-8") == schema_text(name), (
        f"{path} is out of date: run `docgen schema export` and commit the result")


def test_no_stale_schema_files() -> None:
    assert sorted(p.name for p in COMMITTED.glob("*.schema.json")) == \
        sorted(f"{n}.schema.json" for n in SCHEMAS)


def test_schema_export_cli_writes_every_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "export", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in SCHEMAS:
        data = json.loads((tmp_path / f"{name}.schema.json").read_text("utf-8"))
        assert data["$schema"].endswith("2020-12/schema")
        assert data["additionalProperties"] is False  # unknown keys are an error

"""Fixtures for hostile-input tests: running the CLI in process on a private workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result


@pytest.fixture
def cli_run(ws_path: Path) -> Callable[..., Result]:
    """Invoke ``docgen -w <private workspace> ARGS`` in process; returns click's Result."""
    from docgen.cli import cli

    def run(*args: str | Path) -> Result:
        return CliRunner().invoke(cli, ["-w", str(ws_path), *map(str, args)])

    return run


@pytest.fixture
def sample_deal(ws_path: Path) -> Callable[[str], dict[str, Any]]:
    """A sample deal's data by id prefix, to modify."""

    def load(prefix: str = "D-2026-0101") -> dict[str, Any]:
        path = next((ws_path / "examples" / "deals").glob(f"{prefix}*.yaml"))
        data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
        return data

    return load


def leftovers(folder: Path) -> list[str]:
    """Temporary or partial files left in `folder` (atomic writes leave none)."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(".") or
                  p.name.endswith(".tmp"))


@pytest.fixture
def no_leftovers() -> Callable[[Path], list[str]]:
    """The `leftovers` helper as a fixture."""
    return leftovers

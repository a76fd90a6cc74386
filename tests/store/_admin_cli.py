"""A `run_cli` that acts as the workspace's administrator for the commands that record (import
the fixture into a test module that issues documents through the command line)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import admin_token_for

__all__ = ["run_cli"]

Run = Callable[..., subprocess.CompletedProcess[str]]

_RECORDING = {"po", "sow", "onboarding", "contract", "submit", "approve", "reject"}


@pytest.fixture
def run_cli(run_cli: Run, ws_path: Path) -> Run:
    """The shared `run_cli`, acting as the workspace's administrator for commands that record."""

    def run(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        if args and str(args[0]) in _RECORDING and "--draft" not in map(str, args):
            kwargs.setdefault("token", admin_token_for(ws_path))
        return run_cli(*args, **kwargs)

    return run

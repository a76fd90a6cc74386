"""Same input, same bytes: PDF and DOCX, draft and final, rendered a second apart, in one process
and in separate processes."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from docgen.workspace import Workspace
from tests.conftest import admin_token_for

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.mark.parametrize("number", [None, "PO-2026-000042"], ids=["draft", "final"])
def test_render_twice_in_process_same_bytes(shared_ws: Workspace, tools: Any, tmp_path: Path,
                                            number: str | None) -> None:
    # given
    deal = next((shared_ws.root / "examples" / "deals").glob("D-2026-0042*.yaml"))
    # when: two renders a second apart (dates inside come from the deal and --date only)
    first, _ = tools.render(shared_ws, deal, tmp_path / "a", number=number,
                            formats=("pdf", "docx"))
    time.sleep(1.1)
    second, _ = tools.render(shared_ws, deal, tmp_path / "b", number=number,
                             formats=("pdf", "docx"))
    # then
    for fmt in ("pdf", "docx"):
        assert first.paths[fmt].read_bytes() == second.paths[fmt].read_bytes(), fmt
        assert first.sha256[fmt] == second.sha256[fmt]


@pytest.mark.parametrize("draft", [True, False], ids=["draft", "final"])
def test_render_twice_in_separate_processes_same_bytes(run_cli: Run, ws_path: Path,
                                                       tmp_path: Path, draft: bool) -> None:
    # given: the CLI, twice, a second apart (a final re-issue keeps its number and date)
    deal = next((ws_path / "examples" / "deals").glob("D-2026-0101*.yaml"))
    flags = ["--draft"] if draft else []
    outs = []
    for name in ("one", "two"):
        out = tmp_path / name
        proc = run_cli("po", deal, "-o", out, "--date", "2026-11-22", "--format", "pdf,docx",
                       *flags, token=None if draft else admin_token_for(ws_path))
        assert proc.returncode == 0, proc.stderr
        outs.append(out)
        time.sleep(1.1)
    # then
    stem = "D-2026-0101-po-draft" if draft else "D-2026-0101-po-PO-2026-000001"
    for suffix in (".pdf", ".docx"):
        a, b = (o / f"{stem}{suffix}" for o in outs)
        assert a.read_bytes() == b.read_bytes(), suffix

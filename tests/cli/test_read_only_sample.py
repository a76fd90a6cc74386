"""Where no workspace is found, docgen uses the bundled sample, which it never writes into."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from docgen.workspace import sample_root
from tests.conftest import EXAMPLES

RunCli = Callable[..., subprocess.CompletedProcess[str]]
CLEAN = next(EXAMPLES.glob("D-2026-0101*.yaml"))


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder that is not a workspace: commands run there fall back to the sample."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def _refused(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "read-only" in proc.stderr and "docgen init" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [
    pytest.param(("po", str(CLEAN), "-o", "OUT", "--date", "2026-11-22"), id="final-po-state"),
    pytest.param(("submit", str(CLEAN)), id="submit-state"),
    pytest.param(("catalogue", "lock"), id="catalogue-lock"),
    pytest.param(("policy", "lock"), id="policy-lock"),
    pytest.param(("schema", "export"), id="schema-export"),
    pytest.param(("po", str(CLEAN), "-o", "SAMPLE/refused-out", "--draft", "--date",
                  "2026-11-22"),
                 id="output-into-sample"),
])
def test_writing_into_the_bundled_sample_is_refused(run_cli: RunCli, elsewhere: Path,
                                                    args: tuple[str, ...]) -> None:
    # given: no --workspace, no $DOCGEN_WORKSPACE, and a current folder that is no workspace
    sample = sample_root()
    state = sample / ".docgen"
    had_state = state.exists()
    args = tuple(a.replace("OUT", str(elsewhere / "out")).replace("SAMPLE", str(sample))
                 for a in args)
    # when
    proc = run_cli(*args, workspace=False, cwd=elsewhere)
    # then: exit 2, a message that says to run docgen init, and nothing written there
    _refused(proc)
    assert state.exists() == had_state
    assert not (sample / "refused-out").exists()


def test_reading_the_bundled_sample_still_works(run_cli: RunCli, elsewhere: Path) -> None:
    # when: validating and drafting into a folder of one's own
    proc = run_cli("po", CLEAN, "-o", elsewhere / "out", "--draft", "--date", "2026-11-22",
                   "--format", "html", workspace=False, cwd=elsewhere)
    # then
    assert proc.returncode == 0, proc.stderr
    assert (elsewhere / "out" / "D-2026-0101-po-draft.html").is_file()


def test_init_prints_commands_that_name_the_new_folder(run_cli: RunCli, tmp_path: Path) -> None:
    # when
    target = tmp_path / "acme"
    proc = run_cli("init", target, workspace=False, cwd=tmp_path)
    # then: the printed next steps work as printed
    assert proc.returncode == 0, proc.stderr
    assert f"docgen -w {target} catalogue lock" in proc.stdout
    assert (target / "deals").is_dir()
    assert ".docgen/" in (target / ".gitignore").read_text("utf-8")
    token = proc.stdout.rstrip("\n").splitlines()[-1]  # the administrator's, alone on the last line
    lock = run_cli("-w", target, "catalogue", "lock", workspace=False, cwd=tmp_path, token=token)
    assert lock.returncode == 0, lock.stderr

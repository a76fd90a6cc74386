"""Workspace resolution and the read-only bundled sample; what ``docgen init`` creates."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import docgen.workspace
from docgen.errors import WorkspaceError
from docgen.workspace import Workspace, find_workspace, init_workspace, sample_root
from tests.conftest import assert_no_traceback

READ_ONLY = "the bundled sample workspace is read-only: cannot write {what} there; run " \
            "`docgen init DIR` to make a workspace of your own (then use -w DIR or cd DIR)"


def test_workspace_fallback_to_the_sample_is_read_only(tmp_path: Path) -> None:
    # given: no flag, no $DOCGEN_WORKSPACE (conftest clears it), a folder that is no workspace
    # when
    ws = find_workspace(None, cwd=tmp_path)
    # then: the sample is found, and every write into it is refused with docgen's message
    assert ws.root == sample_root()
    assert ws.read_only
    with pytest.raises(WorkspaceError) as info:
        ws.require_writable("a catalogue lock")
    assert info.value.exit_code == 2
    assert [str(p) for p in info.value.problems] == [
        f"{sample_root()}: " + READ_ONLY.format(what="a catalogue lock")]


@pytest.mark.parametrize("how", ["flag", "env", "cwd"])
def test_workspace_chosen_by_flag_env_or_cwd_is_writable(how: str, ws_path: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    if how == "env":
        monkeypatch.setenv("DOCGEN_WORKSPACE", str(ws_path))
    # when
    ws = find_workspace(ws_path if how == "flag" else None,
                        cwd=ws_path if how == "cwd" else tmp_path)
    # then
    assert ws.root == ws_path.resolve()
    assert not ws.read_only
    ws.require_writable("a catalogue lock")  # does not raise


@pytest.mark.parametrize("how", ["flag", "env", "cwd", "constructor"])
def test_workspace_installed_sample_is_read_only_however_chosen(
        how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: an installed package whose sample is docgen/_sample
    installed = tmp_path / "site-packages" / "docgen" / "_sample"
    shutil.copytree(sample_root() / "skus", installed / "skus")
    monkeypatch.setattr(docgen.workspace, "_PACKAGED_SAMPLE", installed.resolve())
    assert sample_root() == installed.resolve()
    if how == "env":
        monkeypatch.setenv("DOCGEN_WORKSPACE", str(installed))
    # when: it is chosen explicitly, not fallen back to
    if how == "constructor":
        ws = Workspace(installed)
    else:
        ws = find_workspace(installed if how == "flag" else None,
                            cwd=installed if how == "cwd" else tmp_path)
    # then
    assert ws.read_only
    with pytest.raises(WorkspaceError, match="run `docgen init DIR`"):
        ws.require_writable("PO numbers")


def test_workspace_init_creates_deals_and_a_gitignore_for_state(tmp_path: Path) -> None:
    # given
    target = tmp_path / "acme"
    # when
    ws = init_workspace(target)
    # then: the sample's files, an empty deals/ kept by its README, .docgen/ ignored by git
    assert not ws.read_only
    assert (target / "skus" / "catalogue.lock").is_file()
    assert (target / "templates" / "html" / "po.html").is_file()
    assert any((target / "examples" / "deals").glob("*.yaml"))
    assert [p.name for p in (target / "deals").iterdir()] == ["README.md"]
    assert "docgen validate deals/*.yaml" in (target / "deals" / "README.md").read_text("utf-8")
    assert ".docgen/" in (target / ".gitignore").read_text("utf-8").splitlines()
    assert not find_workspace(target).read_only


def test_workspace_init_gitignore_keeps_state_out_of_git(tmp_path: Path) -> None:
    # given: a workspace made by init, tracked by git, with docgen state in it
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    target = tmp_path / "acme"
    init_workspace(target)
    (target / ".docgen").mkdir()
    (target / ".docgen" / "docgen.db").write_bytes(b"")
    subprocess.run([git, "init", "-q", str(target)], check=True)
    # when
    ignored = subprocess.run([git, "-C", str(target), "check-ignore", "-q", ".docgen/docgen.db"],
                             check=False)
    kept = subprocess.run([git, "-C", str(target), "check-ignore", "-q", "deals/README.md"],
                          check=False)
    # then
    assert ignored.returncode == 0
    assert kept.returncode == 1


def test_cli_catalogue_lock_refuses_the_bundled_sample(
        run_cli: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    # given: no workspace anywhere, so docgen falls back to the sample
    lock = sample_root() / "skus" / "catalogue.lock"
    before = (lock.read_bytes(), lock.stat().st_mtime_ns)
    # when
    proc = run_cli("catalogue", "lock", workspace=False, cwd=tmp_path)
    # then: exit 2 with docgen's message, and the sample's lock is untouched
    assert proc.returncode == 2, proc.stderr
    assert_no_traceback(proc)
    [line] = proc.stderr.strip().splitlines()
    assert line.endswith(f"{sample_root()}: " + READ_ONLY.format(what="a catalogue lock"))
    assert (lock.read_bytes(), lock.stat().st_mtime_ns) == before

"""Catalogue lock and workspace resolution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen.catalogue import diff_lock, lock_catalogue, verify_lock
from docgen.errors import InputError, LockMismatchError, WorkspaceError
from docgen.workspace import Workspace, find_workspace, init_workspace, sample_root
from tests.conftest import assert_no_traceback, example


def _edit(ws_path: Path, old: str, new: str) -> None:
    cat = ws_path / "skus" / "catalogue.yaml"
    text = cat.read_text("utf-8")
    assert old in text
    cat.write_text(text.replace(old, new, 1), "utf-8")


def _verify(ws_path: Path) -> None:
    ws = Workspace(ws_path)
    verify_lock(ws.catalogue, ws.lock_path)


def test_sample_catalogue_matches_its_committed_lock() -> None:
    ws = Workspace(sample_root())
    verify_lock(ws.catalogue, ws.lock_path)


def test_sample_catalogue_covers_every_family_and_currency() -> None:
    cat = Workspace(sample_root()).catalogue
    assert len(cat.skus) >= 12
    assert {s.family for s in cat.skus} == {"licence", "workshop", "audit", "training", "onsite",
                                           "managed_service", "support", "usage", "bundle"}
    assert {"EUR", "USD", "GBP", "JPY"} <= set(cat.catalogue.currencies)
    assert any(s.requires_cs_review and s.family == "onsite" for s in cat.skus)
    assert any(s.auto_for_new_customers and s.family == "bundle" for s in cat.skus)
    usage = [s for s in cat.skus if s.family == "usage"]
    assert usage and all(s.threshold and s.overage for s in usage)


def test_lock_ignores_formatting_but_not_meaning(ws: Workspace, ws_path: Path) -> None:
    # reformatting the YAML (quotes, comments) does not change the canonical form
    _edit(ws_path, 'list_price: {EUR: "25.00"', "list_price: {EUR: 25.00")
    _verify(ws_path)
    # a price change does
    _edit(ws_path, "EUR: 25.00", 'EUR: "24.00"')
    with pytest.raises(LockMismatchError) as info:
        _verify(ws_path)
    assert [(p.file, p.path) for p in info.value.problems] == [
        (str(ws_path / "skus" / "catalogue.yaml"), "skus.LIC-SEAT-ADD")]


def test_relock_reports_what_changed(ws_path: Path) -> None:
    _edit(ws_path, 'version: "2026.12"', 'version: "2027.01"')
    _edit(ws_path, "name: Premium support", "name: Premium support plus")
    _edit(ws_path, "  - code: LIC-BI-LEGACY", "  - code: LIC-BI-OLD")
    cat = Workspace(ws_path).catalogue
    diff = diff_lock(cat, ws_path / "skus" / "catalogue.lock")
    assert diff.changed == ("SUP-PREM",)
    assert diff.added == ("LIC-BI-OLD",) and diff.removed == ("LIC-BI-LEGACY",)
    data, before = lock_catalogue(cat, ws_path / "skus" / "catalogue.lock")
    assert before == diff
    assert "LIC-BI-OLD" in data["skus"]
    _verify(ws_path)
    on_disk = json.loads((ws_path / "skus" / "catalogue.lock").read_text())
    assert on_disk == data


def test_cli_refuses_to_price_a_tampered_catalogue(run_cli, ws_path: Path) -> None:
    # given a catalogue whose price was changed after it was locked
    _edit(ws_path, 'USD: "1300.00"', 'USD: "999.00"')
    # when pricing or rendering is asked for
    for args in (("validate", example("D-2026-0101")),
                 ("po", example("D-2026-0101"), "-o", ws_path / "out", "--draft", "--date",
                  "2026-11-22"),
                 ("catalogue", "verify")):
        proc = run_cli(*args)
        # then it exits 2 naming the changed SKU, and writes nothing
        assert proc.returncode == 2, proc.stderr
        assert_no_traceback(proc)
        assert "skus.LIC-ANL-PRO: changed since the catalogue was locked" in proc.stderr
    assert not (ws_path / "out").exists()


def test_relock_of_changed_content_under_the_same_label_is_refused(ws_path: Path) -> None:
    # given a price change that keeps the locked version label
    _edit(ws_path, 'USD: "1300.00"', 'USD: "1350.00"')
    lock = ws_path / "skus" / "catalogue.lock"
    before = lock.read_bytes()
    # when it is locked
    with pytest.raises(InputError) as info:
        lock_catalogue(Workspace(ws_path).catalogue, lock)
    # then it is refused, naming the version field and the changed SKU, and nothing is written
    (problem,) = info.value.problems
    assert problem.path == "catalogue.version"
    assert "LIC-ANL-PRO changed" in problem.message
    assert lock.read_bytes() == before


def test_cli_relock_under_the_same_label_exits_2_and_records_nothing(run_cli,
                                                                      ws_path: Path) -> None:
    # given
    _edit(ws_path, 'USD: "1300.00"', 'USD: "1350.00"')
    # when
    proc = run_cli("catalogue", "lock")
    # then
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert_no_traceback(proc)
    assert "catalogue.version" in proc.stderr and "2026.12" in proc.stderr
    assert not (ws_path / ".docgen" / "docgen.db").exists()


def test_cli_lock_then_verify(run_cli, ws_path: Path, admin_token: str) -> None:
    _edit(ws_path, 'version: "2026.12"', 'version: "2027.01"')
    _edit(ws_path, 'USD: "1300.00"', 'USD: "1350.00"')
    proc = run_cli("catalogue", "lock", token=admin_token)
    assert proc.returncode == 0
    assert "changed: LIC-ANL-PRO" in proc.stdout
    assert run_cli("catalogue", "verify").returncode == 0


def test_cli_missing_lock_is_refused(run_cli, ws_path: Path) -> None:
    (ws_path / "skus" / "catalogue.lock").unlink()
    proc = run_cli("validate", example("D-2026-0101"))
    assert proc.returncode == 2
    assert "no lock file" in proc.stderr


def test_cli_bad_catalogue_names_file_line_and_field(run_cli, ws_path: Path) -> None:
    _edit(ws_path, "family: support", "family: suport")
    _edit(ws_path, "unit: seat", "unit: seat\n    colour: blue")
    proc = run_cli("catalogue", "list")
    assert proc.returncode == 2
    assert_no_traceback(proc)
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2
    assert any("catalogue.yaml:" in e and "skus[2].colour: unknown field" in e for e in errors)
    assert any("skus[10].family: Input should be" in e for e in errors)


def test_cli_catalogue_list_and_show(run_cli) -> None:
    proc = run_cli("catalogue", "list")
    assert proc.returncode == 0
    assert "LIC-ANL-PRO" in proc.stdout and "[CS review]" in proc.stdout
    proc = run_cli("catalogue", "show", "USG-PV-1M")
    assert proc.returncode == 0 and "threshold:" in proc.stdout
    proc = run_cli("catalogue", "show", "LIC-ANL-PRX")
    assert proc.returncode == 2 and "did you mean LIC-ANL-PRO" in proc.stderr


def test_workspace_resolution_order(tmp_path: Path, ws_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    init_workspace(other)
    # flag beats environment
    monkeypatch.setenv("DOCGEN_WORKSPACE", str(other))
    assert find_workspace(ws_path).root == ws_path.resolve()
    # environment beats the current folder
    assert find_workspace(None, cwd=ws_path).root == other.resolve()
    monkeypatch.delenv("DOCGEN_WORKSPACE")
    # the current folder beats the sample
    assert find_workspace(None, cwd=ws_path).root == ws_path.resolve()
    assert find_workspace(None, cwd=tmp_path).root == sample_root()


def test_unknown_workspace_is_refused(tmp_path: Path, run_cli) -> None:
    with pytest.raises(WorkspaceError):
        find_workspace(tmp_path / "missing")
    proc = run_cli("-w", tmp_path / "missing", "validate", example("D-2026-0101"),
                   workspace=False)
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr
    proc = run_cli("validate", example("D-2026-0101"), workspace=False,
                   env={"DOCGEN_WORKSPACE": str(tmp_path)})
    assert proc.returncode == 2 and "has no skus/catalogue.yaml" in proc.stderr


def test_init_copies_the_sample_and_refuses_a_full_folder(tmp_path: Path, run_cli) -> None:
    target = tmp_path / "acme"
    proc = run_cli("init", target, workspace=False)
    assert proc.returncode == 0
    ws = Workspace(target)
    verify_lock(ws.catalogue, ws.lock_path)
    assert (target / "templates" / "html" / "po.html").is_file()
    proc = run_cli("init", target, workspace=False)
    assert proc.returncode == 2 and "not empty" in proc.stderr
    assert isinstance(ws.policy.territories, list)
    with pytest.raises(InputError):
        init_workspace(target)


def test_written_files_get_the_ordinary_mode(tmp_path: Path) -> None:
    import os

    from docgen.io import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a" / "f.pdf", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "a" / "f.pdf").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["f.pdf"]  # no temporary left

"""``docgen evidence add / list / file`` from the command line (issue 15, item 5): exit codes
and docgen's own messages."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import assert_no_traceback, person_token
from tests.test_evidence import require_approval

Run = Callable[..., subprocess.CompletedProcess[str]]
SAM = "sam.seller@brightfield.example"
CFO = "cfo@brightfield.example"


def deal_path(ws_path: Path, name: str = "D-2026-0077") -> Path:
    return next((ws_path / "examples" / "deals").glob(f"{name}*.yaml"))


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    path = tmp_path / "credit application.pdf"
    path.write_bytes(b"%PDF-1.7\n% signed credit application CA-3301\n")
    return path


def test_cli_evidence_add_list_and_file(ws_path: Path, run_cli: Run, scan: Path,
                                        tmp_path: Path) -> None:
    # given
    deal = deal_path(ws_path)
    token = person_token(ws_path, SAM)
    # when
    added = run_cli("evidence", "add", deal, "credit_application", scan, "--date", "2026-11-02",
                    token=token)
    listed = run_cli("evidence", "D-2026-0077", "--json")
    got = run_cli("evidence", "file", "D-2026-0077", "credit_application", "-o", tmp_path / "out")
    history = run_cli("history", "D-2026-0077")
    audit = run_cli("audit", "log", "--deal", "D-2026-0077")
    # then
    for proc in (added, listed, got, history, audit):
        assert_no_traceback(proc)
        assert proc.returncode == 0, proc.stderr
    assert added.stdout.startswith(
        f"D-2026-0077: recorded credit_application received 2026-11-02 by {SAM}, file "
        "credit application.pdf (SHA-256 ")
    assert "nothing stands at evidence.credit_application now" in added.stdout
    (rec,) = json.loads(listed.stdout)["evidence"]
    assert (rec["item"], rec["status"], rec["date"], rec["by"], rec["file_size"]) == (
        "credit_application", "received", "2026-11-02", SAM, scan.stat().st_size)
    assert rec["counts"] and rec["latest"] and rec["recorded_at"]
    assert (tmp_path / "out").read_bytes() == scan.read_bytes()
    assert f"evidence credit_application received 2026-11-02 by {SAM}" in history.stdout
    assert "evidence" in audit.stdout and "credit_application received" in audit.stdout


@pytest.mark.parametrize(("token", "message"), [
    (None, "error: DOCGEN_TOKEN: evidence add needs to know who you are"),
    ("dgt_forged", "error: DOCGEN_TOKEN: not a valid API token of this workspace's database")])
def test_cli_evidence_add_needs_a_valid_token(ws_path: Path, run_cli: Run, scan: Path,
                                              token: str | None, message: str) -> None:
    person_token(ws_path, SAM)  # the workspace has people
    proc = run_cli("evidence", "add", deal_path(ws_path), "credit_application", scan,
                   token=token)
    assert_no_traceback(proc)
    assert proc.returncode == 2
    assert proc.stderr.startswith(message)
    assert run_cli("evidence", "D-2026-0077").stdout.strip() == (
        "D-2026-0077: no evidence recorded")


def test_cli_evidence_add_unknown_item_is_exit_2(ws_path: Path, run_cli: Run) -> None:
    proc = run_cli("evidence", "add", deal_path(ws_path), "credit_app",
                   token=person_token(ws_path, SAM))
    assert_no_traceback(proc)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith("error: ITEM: 'credit_app' is not a checklist item of the policy")
    assert "the items are: budget, quantity," in line and "signed_contract" in line


def _too_big(tmp_path: Path) -> Path:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(20 * 1024 * 1024 + 1)
    return path


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(("make", "message"), [
    (_too_big, "is 20,971,521 bytes; an evidence file may have at most 20,971,520 bytes "
               "(20 MiB)"),
    (lambda tmp: tmp, "is a folder, not a file"),
    (lambda tmp: tmp / "nope.pdf", "no such file"),
    (_fifo, "is not a regular file"),
    (_empty, "is empty"),
])
def test_cli_evidence_add_refuses_a_file_it_cannot_attach(
        ws_path: Path, run_cli: Run, tmp_path: Path, make: Callable[[Path], Path],
        message: str) -> None:
    # given
    bad = make(tmp_path)
    # when
    proc = run_cli("evidence", "add", deal_path(ws_path), "credit_application", bad,
                   token=person_token(ws_path, SAM), timeout=60)
    # then: one line naming the file, nothing recorded
    assert_no_traceback(proc)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"error: {bad}: {message}"), line
    assert "no evidence recorded" in run_cli("evidence", "D-2026-0077").stdout


def test_cli_credit_application_received_then_approved(ws_path: Path, run_cli: Run,
                                                       scan: Path) -> None:
    # given: the policy requires the credit application approved by finance
    require_approval(ws_path, approvers=["finance"])
    deal = deal_path(ws_path, "D-2026-0101")
    # when: received (by the sales rep, with the scan)
    received = run_cli("evidence", "add", deal, "credit_application", scan,
                       token=person_token(ws_path, SAM))
    blocked = run_cli("validate", deal)
    refused = run_cli("evidence", "add", deal, "credit_application", "--status", "approved",
                      token=person_token(ws_path, SAM))
    approved = run_cli("evidence", "add", deal, "credit_application", "--status", "approved",
                       token=person_token(ws_path, CFO))
    ready = run_cli("validate", deal)
    # then
    assert received.returncode == 0, received.stderr
    assert "still standing at evidence.credit_application:" in received.stdout
    assert "but is not approved yet" in received.stdout
    assert blocked.returncode == 1
    assert "evidence.credit_application: PO checklist item 'credit_application' was received " \
           "on" in blocked.stdout and "CHK002" in blocked.stdout
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"error: --status: {SAM} may not record "
                                     "credit_application approved")
    assert approved.returncode == 0, approved.stderr
    assert "recorded credit_application approved" in approved.stdout
    assert ready.returncode == 0, ready.stdout

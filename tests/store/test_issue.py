"""Issuing final POs per deal revision, through the CLI, on SQLite and PostgreSQL (issue 11).

- the same revision issued again returns the same document (number, date, bytes), also when four
  processes issue it at once;
- a changed revision supersedes the deal's earlier PO, and `verify` of that one exits 1;
- final files are named `<deal>-po-<number>.<ext>` and never overwrite a file docgen did not write
  for that document, nor one of its inputs;
- `docgen history` and `docgen documents` show what happened.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import DOCGEN, admin_token_for, assert_no_traceback
from tests.store._admin_cli import run_cli  # noqa: F401 - the fixture, acting as admin
from tests.store.conftest import Backend

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out

Run = Callable[..., subprocess.CompletedProcess[str]]
DATE = "2026-11-22"




@pytest.fixture
def clean_deal(ws_path: Path, tmp_path: Path) -> Path:
    """A copy of the clean sample deal, outside the workspace, that a test may edit."""
    src = next((ws_path / "examples" / "deals").glob("D-2026-0101*.yaml"))
    target = tmp_path / "deals" / "D-2026-0101.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(src.read_text("utf-8"), "utf-8")
    return target


def _docs(run_cli: Run, backend: Backend, *args: str) -> list[dict[str, Any]]:
    proc = run_cli("documents", "--json", *args, env=backend.env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["documents"]


def _edit_quantity(deal: Path, quantity: int) -> None:
    data = yaml.safe_load(deal.read_text("utf-8"))
    data["lines"][0]["quantity"] = quantity
    deal.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def test_issue_same_revision_by_four_processes_at_once_gives_one_number_and_one_file(
        ws_path: Path, clean_deal: Path, tmp_path: Path, backend: Backend, run_cli: Run) -> None:
    # given: four `docgen po` of the same unchanged deal, started together
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in ("DOCGEN_DATABASE_URL",)}
    env.update(backend.env)
    env["DOCGEN_TOKEN"] = admin_token_for(ws_path)
    cmd = [*DOCGEN, "-w", str(ws_path), "po", str(clean_deal), "-o", str(out), "--date", DATE,
           "--format", "pdf", "--jobs", "1"]
    # when
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env) for _ in range(4)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    # then: every process succeeds and names the same number; one file, one registry entry
    for rc, stdout, stderr in results:
        assert rc == 0, stdout + stderr
        assert "Traceback" not in stderr
    numbers = {m for _, stdout, _ in results for m in re.findall(r"PO-2026-\d{6}", stdout)}
    assert numbers == {"PO-2026-000001"}
    assert sorted(p.name for p in out.iterdir()) == ["D-2026-0101-po-PO-2026-000001.pdf"]
    docs = _docs(run_cli, backend)
    assert [(d["number"], d["status"]) for d in docs] == [("PO-2026-000001", "issued")]


def test_issue_again_returns_the_same_bytes_and_rewrites_a_lost_file(
        clean_deal: Path, tmp_path: Path, backend: Backend, run_cli: Run) -> None:
    # given: a PO issued as PDF and DOCX
    first = run_cli("po", clean_deal, "-o", tmp_path / "a", "--date", DATE, "--format",
                    "pdf,docx", env=backend.env)
    assert first.returncode == 0, first.stderr
    pdf = tmp_path / "a" / "D-2026-0101-po-PO-2026-000001.pdf"
    docx = pdf.with_suffix(".docx")
    issued = pdf.read_bytes(), docx.read_bytes()
    # when: issued again into another folder, with another date, and after the file was lost
    again = run_cli("po", clean_deal, "-o", tmp_path / "b", "--date", "2027-01-05", "--format",
                    "pdf,docx", env=backend.env)
    pdf.unlink()
    third = run_cli("po", clean_deal, "-o", tmp_path / "a", "--format", "pdf", env=backend.env)
    # then: the same number, date and bytes each time; nothing new in the registry
    for proc in (again, third):
        assert_no_traceback(proc)
        assert proc.returncode == 0, proc.stderr
        assert "PO-2026-000001 (already issued 2026-11-22" in proc.stdout
    b = tmp_path / "b" / "D-2026-0101-po-PO-2026-000001"
    assert (b.with_suffix(".pdf").read_bytes(), b.with_suffix(".docx").read_bytes()) == issued
    assert pdf.read_bytes() == issued[0]
    assert [d["number"] for d in _docs(run_cli, backend)] == ["PO-2026-000001"]


def test_issue_changed_revision_supersedes_and_verify_of_the_old_po_exits_1(
        clean_deal: Path, tmp_path: Path, backend: Backend, run_cli: Run) -> None:
    # given: a PO issued, then the deal changed and issued again
    out = tmp_path / "out"
    assert run_cli("po", clean_deal, "-o", out, "--date", DATE, "--format", "pdf",
                   env=backend.env).returncode == 0
    old_pdf = out / "D-2026-0101-po-PO-2026-000001.pdf"
    old_bytes = old_pdf.read_bytes()
    _edit_quantity(clean_deal, 14)
    # when
    new = run_cli("po", clean_deal, "-o", out, "--date", DATE, "--format", "pdf",
                  env=backend.env)
    # then: a new number and file; the old file is untouched; the old PO is superseded
    assert new.returncode == 0, new.stderr
    assert "PO-2026-000001 is superseded by PO-2026-000002" in new.stdout
    assert old_pdf.read_bytes() == old_bytes
    docs = {d["number"]: d for d in _docs(run_cli, backend, "--deal", "D-2026-0101")}
    assert docs["PO-2026-000001"]["status"] == "superseded"
    assert docs["PO-2026-000001"]["superseded_by"] == "PO-2026-000002"
    assert "changed" in docs["PO-2026-000001"]["reason"]
    assert docs["PO-2026-000002"]["status"] == "issued"
    only_superseded = _docs(run_cli, backend, "--status", "superseded")
    assert [d["number"] for d in only_superseded] == ["PO-2026-000001"]
    # verify: the superseded PO exits 1 saying so; the valid one exits 0
    old = run_cli("verify", old_pdf, env=backend.env)
    assert_no_traceback(old)
    assert old.returncode == 1, old.stdout + old.stderr
    assert ("PO-2026-000001 is superseded in the registry, not issued: superseded by "
            "PO-2026-000002") in old.stdout
    # the closing line does not claim the genuine file was altered
    assert "differs" not in old.stderr and "verification failed for 1 of 1" in old.stderr
    ok = run_cli("verify", out / "D-2026-0101-po-PO-2026-000002.pdf", env=backend.env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # history: revisions, reservations, issues and the supersession, newest last
    hist = run_cli("history", clean_deal, "--json", env=backend.env)
    assert hist.returncode == 0, hist.stderr
    events = json.loads(hist.stdout)["events"]
    kinds = [e["event"] for e in events]
    assert kinds.count("revision") == 2
    assert kinds.index("revision") < kinds.index("reserved") < kinds.index("issued")
    assert kinds[-1] == "superseded"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    text = run_cli("history", "D-2026-0101", env=backend.env)
    assert "PO-2026-000001 superseded by PO-2026-000002" in text.stdout


def test_issue_never_overwrites_a_different_file(clean_deal: Path, tmp_path: Path,
                                                 backend: Backend, run_cli: Run) -> None:
    # given: the issued PO's file was replaced by something else
    out = tmp_path / "out"
    assert run_cli("po", clean_deal, "-o", out, "--date", DATE, "--format", "pdf",
                   env=backend.env).returncode == 0
    pdf = out / "D-2026-0101-po-PO-2026-000001.pdf"
    pdf.write_bytes(b"someone else's file")
    # when
    proc = run_cli("po", clean_deal, "-o", out, "--format", "pdf", env=backend.env)
    # then: exit 2 naming the file; the file is left as it was
    assert_no_traceback(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert str(pdf) in proc.stderr and "never overwrites" in proc.stderr
    assert pdf.read_bytes() == b"someone else's file"


def test_outputs_never_replace_an_input(clean_deal: Path, tmp_path: Path, run_cli: Run,
                                        write_deal: Callable[..., Path]) -> None:
    # given: a deal given as JSON, and two PDFs to pack
    deal_json = write_deal(json.dumps(yaml.safe_load(clean_deal.read_text("utf-8")), default=str),
                           name="D-2026-0101.json")
    before = deal_json.read_bytes()
    out = tmp_path / "out"
    made = run_cli("po", clean_deal, "-o", out, "--draft", "--date", DATE, "--format", "pdf")
    sow = run_cli("sow", clean_deal, "-o", out, "--draft", "--date", DATE, "--format", "pdf")
    assert made.returncode == 0 and sow.returncode == 0, made.stderr + sow.stderr
    po_pdf, sow_pdf = out / "D-2026-0101-po-draft.pdf", out / "D-2026-0101-sow-draft.pdf"
    po_bytes = po_pdf.read_bytes()
    # when
    report = run_cli("report", deal_json, "-o", deal_json)
    pack = run_cli("pack", po_pdf, sow_pdf, "-o", po_pdf)
    # then: both refused with exit 2; the inputs are unchanged
    for proc in (report, pack):
        assert_no_traceback(proc)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "never writes onto its own input" in proc.stderr
    assert deal_json.read_bytes() == before
    assert po_pdf.read_bytes() == po_bytes


def test_documents_and_history_without_a_database(run_cli: Run) -> None:
    # when
    docs = run_cli("documents")
    hist = run_cli("history", "D-2026-0101")
    bad = run_cli("documents", "--status", "lost")
    # then
    assert docs.returncode == 0 and "no documents recorded" in docs.stdout
    assert hist.returncode == 0 and "nothing recorded yet" in hist.stdout
    assert bad.returncode == 2


def test_validate_records_the_revision_once_a_database_exists(
        clean_deal: Path, backend: Backend, run_cli: Run, ws_path: Path) -> None:
    # given: no database yet: validating creates none
    assert run_cli("validate", clean_deal, env=backend.env).returncode == 0
    if backend.name == "sqlite":
        assert not (ws_path / ".docgen" / "docgen.db").exists()
    assert run_cli("submit", clean_deal, env=backend.env).returncode == 0  # makes the database
    _edit_quantity(clean_deal, 15)
    # when
    proc = run_cli("validate", clean_deal, env=backend.env)
    again = run_cli("validate", clean_deal, env=backend.env)
    # then: two revisions (the submitted one and the edited one), each recorded once
    assert proc.returncode == 0 and again.returncode == 0
    hist = json.loads(run_cli("history", "D-2026-0101", "--json", env=backend.env).stdout)
    revisions = [e for e in hist["events"] if e["event"] == "revision"]
    assert len(revisions) == 2
    assert revisions[0]["source"] == str(clean_deal)


def test_validate_stays_free_of_sqlalchemy_while_recording(clean_deal: Path, ws_path: Path,
                                                           run_cli: Run) -> None:
    # given: a SQLite database at the current schema
    assert run_cli("submit", clean_deal).returncode == 0
    code = ("import sys; from docgen import api\n"
            f"s = api.Session({str(ws_path)!r}); s.validate([{str(clean_deal)!r}])\n"
            "print('sqlalchemy' in sys.modules)")
    # when
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, env={k: v for k, v in os.environ.items()
                                            if k != "DOCGEN_DATABASE_URL"})
    # then
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_history_shows_requests_with_the_revision_they_came_from(
        ws_path: Path, backend: Backend, run_cli: Run) -> None:
    # given: a deal with approval findings, submitted
    deal = next((ws_path / "examples" / "deals").glob("D-2026-0042*.yaml"))
    assert run_cli("submit", deal, env=backend.env).returncode == 0
    # when
    as_json = run_cli("history", deal, "--json", env=backend.env)
    as_text = run_cli("history", "D-2026-0042", env=backend.env)
    # then: the revision first, then one request per approval finding, newest last
    assert as_json.returncode == 0 and as_text.returncode == 0, as_json.stderr + as_text.stderr
    data = json.loads(as_json.stdout)
    events = [e["event"] for e in data["events"]]
    assert events == ["revision", "requested", "requested", "requested", "requested"]
    assert data["events"][0]["revision"] == data["current_revision"]
    assert data["events"][0]["current"] is True
    assert all(e["current"] is True for e in data["events"][1:])
    assert "requested CAT002 lines[3]" in as_text.stdout
    assert as_text.stdout.index("revision") < as_text.stdout.index("requested")


def test_final_sow_is_issued_per_revision_too(ws_path: Path, tmp_path: Path, backend: Backend,
                                             run_cli: Run) -> None:
    # given: a final SOW issued, issued again unchanged, then the deal changed
    src = next((ws_path / "examples" / "deals").glob("D-2026-0105*.yaml"))
    deal = tmp_path / "D-2026-0105.yaml"
    deal.write_text(src.read_text("utf-8"), "utf-8")
    out = tmp_path / "out"
    first = run_cli("sow", deal, "-o", out, "--date", DATE, "--format", "pdf", env=backend.env)
    again = run_cli("sow", deal, "-o", out, "--date", DATE, "--format", "pdf", env=backend.env)
    _edit_quantity(deal, 30)
    changed = run_cli("sow", deal, "-o", out, "--date", DATE, "--format", "pdf",
                      env=backend.env)
    # then: one reference per revision; the old SOW's file stays, and it is superseded
    for proc in (first, again, changed):
        assert_no_traceback(proc)
        assert proc.returncode == 0, proc.stderr
    assert "SOW-D-2026-0105 (already issued" in again.stdout
    assert "SOW-D-2026-0105 is superseded by SOW-D-2026-0105.2" in changed.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "D-2026-0105-sow-SOW-D-2026-0105.2.pdf", "D-2026-0105-sow-SOW-D-2026-0105.pdf"]
    docs = {d["number"]: d["status"] for d in _docs(run_cli, backend, "--deal", "D-2026-0105")}
    assert docs == {"SOW-D-2026-0105": "superseded", "SOW-D-2026-0105.2": "issued"}

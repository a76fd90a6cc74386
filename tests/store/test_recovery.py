"""Crash recovery of final POs (issue 11, SPEC §8): a run killed at any step, or one that finds the
disk full, leaves no file and no live "reserved" number behind once the next issuing run is done.

The kill tests stop ``docgen po`` at a test-only pause point (``DOCGEN_TEST_PAUSE``, see
:mod:`docgen.api._render`), SIGKILL it there, and run ``docgen po`` again.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from docgen import api
from docgen.store._holder import Holder
from tests.conftest import DOCGEN, REPO, admin_token_for, assert_no_traceback, example
from tests.store._admin_cli import run_cli  # noqa: F401 - the fixture, acting as admin
from tests.store.conftest import Backend

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out

Run = Callable[..., subprocess.CompletedProcess[str]]
DATE = "2026-11-22"


FIRST, SECOND = "PO-2026-000001", "PO-2026-000002"


def _docs(run_cli: Run, backend: Backend) -> dict[str, dict[str, Any]]:
    proc = run_cli("documents", "--json", env=backend.env)
    assert proc.returncode == 0, proc.stderr
    return {d["number"]: d for d in json.loads(proc.stdout)["documents"]}


def _start_paused(ws_path: Path, deal: Path, out: Path, backend: Backend,
                  point: str) -> subprocess.Popen[str]:
    """`docgen po` stopped at `point`, still alive."""
    env = {k: v for k, v in os.environ.items() if k != "DOCGEN_DATABASE_URL"}
    env.update(backend.env)
    env["DOCGEN_TEST_PAUSE"] = point
    env["DOCGEN_TOKEN"] = admin_token_for(ws_path)
    proc = subprocess.Popen(
        [*DOCGEN, "-w", str(ws_path), "po", str(deal), "-o", str(out), "--date", DATE,
         "--format", "pdf,docx", "--jobs", "1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.strip() == f"docgen-test-pause:{point}":
            return proc
    proc.wait(timeout=30)
    raise AssertionError(f"never paused at {point}: {''.join(seen)}")


def _kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


# what each pause point leaves in the output folder before the next run cleans it
LEFT = {
    "reserved": lambda names: names == [],
    "staged": lambda names: len(names) == 2 and all(n.endswith(".tmp") for n in names),
    "between-formats": lambda names: f"D-2026-0101-po-{FIRST}.pdf" in names
    and any(n.endswith(".tmp") for n in names),
    "written": lambda names: names == [f"D-2026-0101-po-{FIRST}.docx",
                                       f"D-2026-0101-po-{FIRST}.pdf"],
}


@pytest.mark.parametrize("point", list(LEFT))
def test_killed_issue_is_voided_and_cleaned_by_the_next_run(
        point: str, ws_path: Path, tmp_path: Path, backend: Backend, run_cli: Run) -> None:
    # given: `docgen po` killed at `point`, with its number reserved
    deal, out = example("D-2026-0101"), tmp_path / "out"
    proc = _start_paused(ws_path, deal, out, backend, point)
    if point == "reserved":
        # a live holder is not taken for a dead one: another deal's issue leaves it reserved
        other = run_cli("po", example("D-2026-0105"), "-o", tmp_path / "other", "--date", DATE,
                        "--format", "pdf", env=backend.env)
        assert other.returncode == 0, other.stderr
        assert _docs(run_cli, backend)[FIRST]["status"] == "reserved"
    _kill(proc)
    names = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert LEFT[point](names), names
    assert _docs(run_cli, backend)[FIRST]["status"] == "reserved"
    # when: the next issuing run
    again = run_cli("po", deal, "-o", out, "--date", DATE, "--format", "pdf,docx",
                    env=backend.env)
    # then: the dead number is void with the reason, never reused; only the new PO's files
    assert_no_traceback(again)
    assert again.returncode == 0, again.stderr
    docs = _docs(run_cli, backend)
    assert docs[FIRST]["status"] == "void"
    assert "died before issuing it" in docs[FIRST]["reason"]
    assert not [d for d in docs.values() if d["status"] == "reserved"]
    issued = [n for n, d in docs.items() if d["status"] == "issued" and d["deal"] == "D-2026-0101"]
    assert len(issued) == 1 and issued[0] != FIRST
    assert sorted(p.name for p in out.iterdir()) == [
        f"D-2026-0101-po-{issued[0]}.docx", f"D-2026-0101-po-{issued[0]}.pdf"]


def test_full_disk_leaves_no_file_and_no_reserved_number(
        ws: Any, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a disk that fills up while the second format is written
    from docgen.api import _render

    real = _render.write_temp
    calls: list[Path] = []

    def filling(path: Path, data: bytes) -> Path:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, data)

    monkeypatch.setattr(_render, "write_temp", filling)
    out = tmp_path / "out"
    # when
    with api.Session(ws, token=admin_token_for(ws.root)) as s:
        batch = s.render("po", [example("D-2026-0101")], out_dir=out, formats=("pdf", "docx"),
                         issue_date=api_date(), jobs=1)
        docs = s.documents()
    # then: the deal failed saying why; nothing in the folder; the number is void
    assert not batch.rendered
    assert [d for d, _ in batch.failed] == ["D-2026-0101"]
    assert "disk is full" in batch.failed[0][1]
    assert list(out.iterdir()) == []
    assert [(d.number, d.status) for d in docs] == [(FIRST, "void")]
    assert "disk is full" in (docs[0].reason or "")


def test_failed_record_removes_the_written_files(ws: Any, tmp_path: Path, backend: Backend,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the database fails when the issue is recorded
    from docgen.store._sql import Store

    def broken(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EIO, "database write failed")

    monkeypatch.setattr(Store, "record_issue", broken)
    out = tmp_path / "out"
    # when
    with api.Session(ws, token=admin_token_for(ws.root)) as s:
        batch = s.render("po", [example("D-2026-0101")], out_dir=out, formats=("pdf", "docx"),
                         issue_date=api_date(), jobs=1)
        docs = s.documents()
    # then
    assert batch.failed and not batch.rendered
    assert list(out.iterdir()) == []
    assert [(d.number, d.status) for d in docs] == [(FIRST, "void")]


def api_date() -> Any:
    from datetime import date

    return date.fromisoformat(DATE)


def test_holder_of_a_process_that_ended_is_dead() -> None:
    # given: a process that ran and ended, and this one
    child = subprocess.run(
        [sys.executable, "-c", "from docgen.store._holder import current_holder as c; "
                          "print(c().to_json())"],
        capture_output=True, text=True, check=True, cwd=REPO)
    gone = Holder.from_json(child.stdout)
    me = json.dumps({"pid": os.getpid(), "host": os.uname().nodename})
    # then
    assert gone is not None and gone.is_dead()
    from docgen.store._holder import current_holder

    assert not current_holder().is_dead()
    assert Holder.from_json(me) is not None
    # a reused pid (same pid, other start time) is dead; another host cannot be judged
    now = current_holder()
    assert Holder(pid=now.pid, host=now.host, boot_id=now.boot_id, start="1").is_dead()
    assert not Holder(pid=1, host="elsewhere.example").is_dead()
    assert Holder.from_json("not json") is None

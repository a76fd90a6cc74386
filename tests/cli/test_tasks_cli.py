"""``docgen tasks`` and ``docgen onboarding --format ics`` from the command line (issue 15)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.conftest import assert_no_traceback, person_token

Run = Callable[..., subprocess.CompletedProcess[str]]


def deal_path(ws_path: Path) -> Path:
    return next((ws_path / "examples" / "deals").glob("D-2026-0042*.yaml"))


def test_cli_tasks_list_done_and_list_by_id(ws_path: Path, run_cli: Run) -> None:
    # given
    deal = deal_path(ws_path)
    # when
    listed = run_cli("tasks", deal)
    done = run_cli("tasks", "done", deal, "w2", "--note", "Call held",
                   token=person_token(ws_path, "ona@brightfield.example"))
    again = run_cli("tasks", "list", "D-2026-0042", "--json")
    # then
    for proc in (listed, done, again):
        assert_no_traceback(proc)
        assert proc.returncode == 0, proc.stderr
    assert "2026-12-15  [support]  Introduction call with onboarding contact" in listed.stdout
    assert "every Mon/Wed/Fri until week 6" in listed.stdout
    assert "done by ona@brightfield.example" in done.stdout
    tasks = {t["task"]: t for t in json.loads(again.stdout)["tasks"]}
    intro = tasks["w2-introduction-call-with-onboarding-contact"]
    assert (intro["status"], intro["by"], intro["note"], intro["due"]) == (
        "done", "ona@brightfield.example", "Call held", "2026-12-15")


def test_cli_tasks_unknown_task_is_exit_2(ws_path: Path, run_cli: Run) -> None:
    # given / when
    proc = run_cli("tasks", "done", deal_path(ws_path), "no-such-task",
                   token=person_token(ws_path, "ona@brightfield.example"))
    # then
    assert_no_traceback(proc)
    assert proc.returncode == 2
    assert "no task 'no-such-task'" in proc.stderr


def test_cli_onboarding_ics_is_written_while_the_form_is_blocked(ws_path: Path, tmp_path: Path,
                                                                 run_cli: Run) -> None:
    # given: D-2026-0042's onboarding form is blocked by approvals
    out = tmp_path / "out"
    # when
    proc = run_cli("onboarding", deal_path(ws_path), "-o", out, "--format", "ics",
                   "--date", "2026-11-22")
    # then
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    ics = (out / "D-2026-0042-onboarding.ics").read_text("utf-8")
    assert ics.count("BEGIN:VEVENT") == 8
    assert "RRULE:FREQ=WEEKLY;UNTIL=20270111;BYDAY=MO,WE,FR" in ics
    assert "calendar (8 event(s))" in proc.stdout

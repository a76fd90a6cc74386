"""The job queue (issue 16, SPEC §5 ``po --queue``, §11): ``docgen po --queue`` hands a batch to
``docgen worker`` processes on PostgreSQL, follows it and exits as an in-process ``po`` would; a
worker killed mid-job leaves the job to another worker, and the registry still holds one number
and one file per deal; notifications and reminders run as jobs; with SQLite ``--queue`` renders
in process and ``docgen worker`` refuses to start.

Every worker here is a real ``docgen worker`` subprocess; the kill test shortens the heartbeat
(``--stalled-after 2``) so that the dead worker's job is taken over within seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    DOCGEN,
    REPO,
    act,
    admin_token_for,
    assert_no_traceback,
    example,
)
from tests.notify.conftest import SmtpSink, smtp_sink  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow  # subprocesses, renders and a PostgreSQL server

DATE = "2026-11-22"
CLEAN = ("D-2026-0101", "D-2026-0105", "D-2026-0140")
BLOCKED = "D-2026-0042"  # approvals wanted: refused as a final PO
SUBMITTER = "sam.seller@brightfield.example"


@pytest.fixture
def pg_env(ws_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The workspace on a fresh PostgreSQL schema, with an administrator's token."""
    monkeypatch.setenv("DOCGEN_DATABASE_URL", postgres_url)
    return {"DOCGEN_DATABASE_URL": postgres_url, "DOCGEN_TOKEN": admin_token_for(ws_path)}


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DOCGEN_WORKSPACE", "DOCGEN_DATABASE_URL", "DOCGEN_TOKEN",
                        "DOCGEN_TEST_PAUSE", "DOCGEN_SMTP_URL")}
    env.update(extra)
    return env


def _docgen(ws_path: Path, env: dict[str, str], *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*DOCGEN, "-w", str(ws_path), *map(str, args)], cwd=REPO,
                            env=_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _run(ws_path: Path, env: dict[str, str], *args: str | Path,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DOCGEN, "-w", str(ws_path), *map(str, args)], cwd=REPO,
                          env=_env(env), capture_output=True, text=True, timeout=timeout,
                          check=False)


def _wait_line(proc: subprocess.Popen[str], wanted: Callable[[str], bool],
               seen: list[str]) -> str:
    """Read `proc`'s stderr until a line satisfies `wanted` (AssertionError if it ends first)."""
    assert proc.stderr is not None
    for line in proc.stderr:
        seen.append(line)
        if wanted(line):
            return line
    proc.wait(timeout=30)
    raise AssertionError(f"exited {proc.returncode} before the line wanted:\n{''.join(seen)}")


def _finish(proc: subprocess.Popen[str], seen: list[str], timeout: float = 240
            ) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, "".join(seen) + err


def _stop(proc: subprocess.Popen[str]) -> str:
    """SIGTERM a worker (it finishes its job first); its stderr."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    return err


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[str]]]:
    """Worker processes a test started: killed at the end whatever happened."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.communicate(timeout=30)


def _documents(ws_path: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    proc = _run(ws_path, env, "documents", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["documents"]


def _deals(ws_path: Path, *names: str) -> list[Path]:
    """The example deals `names` in the private workspace copy."""
    return [ws_path / "examples" / "deals" / example(n).name for n in names]


@pytest.mark.postgres
def test_queue_issues_through_a_worker_and_exits_like_po(ws_path: Path, tmp_path: Path,
                                                        pg_env: dict[str, str]) -> None:
    # given: two clean deals and one blocked by approvals, queued (no worker running yet)
    out = tmp_path / "out"
    follower = _docgen(ws_path, pg_env, "po", *_deals(ws_path, *CLEAN[:2], BLOCKED), "-o", out,
                       "--date", DATE, "--format", "pdf", "--queue")
    seen: list[str] = []
    queued = _wait_line(follower, lambda line: line.startswith("queued "), seen)
    assert "queued 2 po job(s)" in queued
    assert "no `docgen worker` is running yet" in queued
    assert not out.exists() or not list(out.iterdir())

    # when: a worker (two processes) runs every job that is ready
    worker = _run(ws_path, pg_env, "worker", "--once", "--concurrency", "2",
                  "--reminders-every", "0")
    code, stdout, stderr = _finish(follower, seen)

    # then: the worker issued both POs; `po --queue` printed them and the blocked deal's
    # findings, and exits 1 as an in-process `po` does
    assert worker.returncode == 0, worker.stderr
    assert_no_traceback(worker)
    assert worker.stderr.count("taking jobs until none is ready") == 2, worker.stderr
    assert worker.stderr.count(" po: PO-2026-00000") == 2, worker.stderr
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert f"blocked: {BLOCKED}: final po refused, 4 finding(s) block it" in stderr
    assert f"fix: docgen approve {BLOCKED} --code CAT002 --where lines[3] --role cs" in stderr
    docs = _documents(ws_path, pg_env)
    assert [(d["number"], d["status"]) for d in docs] == [("PO-2026-000001", "issued"),
                                                          ("PO-2026-000002", "issued")]
    assert {d["deal"] for d in docs} == set(CLEAN[:2])
    for d in docs:
        pdf = out / f"{d['deal']}-po-{d['number']}.pdf"
        assert f"{d['deal']}: {d['number']} -> {pdf}" in stdout
        assert d["path"] == str(pdf)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{d['deal']}-po-{d['number']}.pdf" for d in docs)
    # issued as the person who queued them, signed, and checked like any issued PO
    verified = _run(ws_path, pg_env, "verify", out / f"{docs[0]['deal']}-po-{docs[0]['number']}.pdf")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    log = _run(ws_path, pg_env, "audit", "log", "--json")
    issues = [e for e in json.loads(log.stdout)["audit"] if e["action"] == "issue"]
    assert [e["actor"] for e in issues] == ["admin@localhost"] * 2

    # when: the same deals are queued again -> the same POs come back, nothing new is issued
    again = _docgen(ws_path, pg_env, "po", *_deals(ws_path, *CLEAN[:2]), "-o", out,
                    "--date", DATE, "--format", "pdf", "--queue")
    seen2: list[str] = []
    _wait_line(again, lambda line: line.startswith("queued "), seen2)
    assert _run(ws_path, pg_env, "worker", "--once", "--reminders-every", "0").returncode == 0
    code2, stdout2, stderr2 = _finish(again, seen2)
    assert code2 == 0, stderr2
    assert "already issued 2026-11-22 for this revision" in stdout2
    assert len(_documents(ws_path, pg_env)) == 2


@pytest.mark.postgres
def test_worker_killed_mid_job_is_taken_over_one_number_one_file(
        ws_path: Path, tmp_path: Path, pg_env: dict[str, str],
        workers: list[subprocess.Popen[str]]) -> None:
    # given: three deals queued; worker A stops after publishing the first PO's files, before
    # recording it (the worst moment), and is killed there
    out = tmp_path / "out"
    follower = _docgen(ws_path, pg_env, "po", *_deals(ws_path, *CLEAN), "-o", out, "--date", DATE,
                       "--format", "pdf,docx", "--queue")
    seen: list[str] = []
    _wait_line(follower, lambda line: line.startswith("queued "), seen)
    a = _docgen(ws_path, {**pg_env, "DOCGEN_TEST_PAUSE": "written"}, "worker",
                "--stalled-after", "2", "--reminders-every", "0")
    workers.append(a)
    _wait_line(a, lambda line: line.strip() == "docgen-test-pause:written", [])
    left = sorted(p.name for p in out.iterdir())
    assert len(left) == 2 and all("-po-PO-2026-000001." in n for n in left), left
    os.kill(a.pid, signal.SIGKILL)
    a.wait(timeout=30)

    # when: worker B runs (A's heartbeat stops; B queues A's job again and runs everything)
    b = _docgen(ws_path, pg_env, "worker", "--stalled-after", "2", "--reminders-every", "0")
    workers.append(b)
    code, stdout, stderr = _finish(follower, seen)
    b_log = _stop(b)

    # then: the batch succeeded; B said it took A's job over
    assert code == 0, stderr + b_log
    assert "sent no heartbeat for 2 s: queued again" in b_log, b_log
    assert "Traceback" not in b_log
    docs = _documents(ws_path, pg_env)
    # every number 1..4 is in the registry (gapless): A's reservation is void with the reason,
    # never reused; each deal has exactly one issued PO
    assert [d["number"] for d in docs] == [f"PO-2026-00000{i}" for i in range(1, 5)]
    assert [d["status"] for d in docs].count("void") == 1
    void = next(d for d in docs if d["status"] == "void")
    assert void["number"] == "PO-2026-000001"
    assert "died before issuing it" in void["reason"]
    issued = [d for d in docs if d["status"] == "issued"]
    assert sorted(d["deal"] for d in issued) == sorted(CLEAN)
    # one file per format per issued PO, and nothing of the voided number (A's files removed)
    expected = sorted(f"{d['deal']}-po-{d['number']}.{f}" for d in issued for f in ("pdf", "docx"))
    assert sorted(p.name for p in out.iterdir()) == expected
    for d in issued:
        assert f"{d['deal']}: {d['number']} -> {out / (d['deal'] + '-po-' + d['number'] + '.pdf')}" \
            in stdout
    verified = _run(ws_path, pg_env, "verify", *[d["path"] for d in issued])
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_queue_with_sqlite_renders_in_process(ws_path: Path, tmp_path: Path) -> None:
    # given: no DOCGEN_DATABASE_URL (the workspace's SQLite file)
    env = {"DOCGEN_TOKEN": admin_token_for(ws_path)}
    out = tmp_path / "out"
    # when
    proc = _run(ws_path, env, "po", *_deals(ws_path, *CLEAN[:2], BLOCKED), "-o", out, "--date",
                DATE, "--format", "pdf", "--queue")
    # then: rendered here, said once, and the same exit code and messages as without --queue
    assert_no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("--queue needs PostgreSQL") == 1
    assert "with SQLite the batch is rendered in this process" in proc.stderr
    assert f"blocked: {BLOCKED}: final po refused" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        f"{CLEAN[0]}-po-PO-2026-000001.pdf", f"{CLEAN[1]}-po-PO-2026-000002.pdf"]


def test_worker_without_postgresql_exits_2(ws_path: Path) -> None:
    # when
    proc = _run(ws_path, {}, "worker", "--once")
    # then
    assert_no_traceback(proc)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: docgen worker needs PostgreSQL: set "
                                  "DOCGEN_DATABASE_URL")


def test_worker_refuses_a_reminder_period_that_is_no_schedule(ws_path: Path,
                                                              postgres_url: str) -> None:
    # when: 90 minutes is neither whole minutes under an hour nor whole hours
    proc = _run(ws_path, {"DOCGEN_DATABASE_URL": postgres_url}, "worker", "--once",
                "--reminders-every", "90m")
    # then
    assert_no_traceback(proc)
    assert proc.returncode == 2
    assert "--reminders-every" in proc.stderr and "whole minutes under an hour" in proc.stderr


@pytest.mark.postgres
def test_queue_refuses_what_po_refuses_before_queueing(ws_path: Path, tmp_path: Path,
                                                       pg_env: dict[str, str]) -> None:
    deals = _deals(ws_path, CLEAN[0])
    # when: no issue date for a new PO; --jobs with a queue
    no_date = _run(ws_path, pg_env, "po", *deals, "-o", tmp_path / "o", "--queue")
    jobs = _run(ws_path, pg_env, "po", *deals, "-o", tmp_path / "o", "--date", DATE,
                "--queue", "--jobs", "2")
    no_token = _run(ws_path, {"DOCGEN_DATABASE_URL": pg_env["DOCGEN_DATABASE_URL"]}, "po",
                    *deals, "-o", tmp_path / "o", "--date", DATE, "--queue")
    # then: exit 2, one message each, and nothing queued
    for proc in (no_date, jobs, no_token):
        assert_no_traceback(proc)
        assert proc.returncode == 2, proc.stderr
        assert "queued " not in proc.stderr
    assert "give the issue date: --date YYYY-MM-DD" in no_date.stderr
    assert "--jobs: with --queue the `docgen worker` processes render" in jobs.stderr
    assert "DOCGEN_TOKEN" in no_token.stderr
    from docgen import api
    from docgen.store._queue import QueueBook

    with api.Session(ws_path) as s:
        assert QueueBook(s.store).counts() == {}


@pytest.mark.postgres
def test_a_worker_sends_notifications_and_reminders_as_jobs(
        ws_path: Path, pg_env: dict[str, str], smtp_sink: SmtpSink,  # noqa: F811
        workers: list[subprocess.Popen[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a worker running (no reminders yet)
    env = {**pg_env, "DOCGEN_SMTP_URL": smtp_sink.url}
    monkeypatch.setenv("DOCGEN_SMTP_URL", smtp_sink.url)
    w = _docgen(ws_path, env, "worker", "--reminders-every", "0")
    workers.append(w)
    _wait_line(w, lambda line: "taking jobs" in line, [])
    _wait_for(lambda: _live_workers(ws_path) == 1)

    # when: sales submits a deal, long ago (its requests are past their SLA now)
    act(ws_path, SUBMITTER, "submit", [_deals(ws_path, BLOCKED)[0]],
        now=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    # then: the worker sent the approval requests, as a job
    _wait_for(lambda: len(_subjects(smtp_sink, "Approval needed:")) == 10)
    log = _stop(w)
    assert "notifications: 10 sent, 0 failed" in log, log

    # when: a worker runs with reminders every second, for a few ticks
    w2 = _docgen(ws_path, env, "worker", "--reminders-every", "1s")
    workers.append(w2)
    _wait_for(lambda: len(_subjects(smtp_sink, "Escalation:")) >= 14)
    time.sleep(2.5)  # two more ticks: nothing is sent twice
    log2 = _stop(w2)

    # then: the periodic job escalated each request once (approvers and the submitter)
    escalations = _subjects(smtp_sink, "Escalation:")
    assert len(escalations) == len(set(escalations)) == 14
    assert "reminders: 14 recorded, 14 sent, 0 failed" in log2, log2
    assert "Traceback" not in log + log2


def _subjects(sink: SmtpSink, prefix: str) -> list[tuple[str, str]]:
    return [(m.to, m.subject) for m in sink.mails if m.subject.startswith(prefix)]


def _wait_for(cond: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def _live_workers(ws_path: Path) -> int:
    from docgen import api
    from docgen.store._queue import QueueBook

    with api.Session(ws_path) as s:
        return QueueBook(s.store).live_workers()

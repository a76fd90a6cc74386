"""``docgen submit/approve/po/notify`` as a user runs them, against the SMTP sink (issue 15)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from docgen import api
from docgen.sla import SlaClock
from tests.conftest import assert_no_traceback, person_token
from tests.notify.conftest import SmtpSink, free_port

Run = Callable[..., subprocess.CompletedProcess[str]]
SUBMITTER = "sam.seller@brightfield.example"
CS = {"cs.lead@brightfield.example", "cs.deputy@brightfield.example"}


def deal_path(ws_path: Path, name: str = "D-2026-0042") -> Path:
    return next((ws_path / "examples" / "deals").glob(f"{name}*.yaml"))


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    return proc


def kinds(sink: SmtpSink, prefix: str) -> list[tuple[str, str]]:
    return [(m.to, m.subject) for m in sink.mails if m.subject.startswith(prefix)]


@pytest.mark.slow
def test_cli_email_flow_end_to_end(ws_path: Path, tmp_path: Path, run_cli: Run,
                                   smtp_sink: SmtpSink) -> None:
    # given: the approvals deal
    deal = deal_path(ws_path)

    # when: sales submits -> every approver of each needed role is mailed
    ok(run_cli("submit", deal, token=person_token(ws_path, SUBMITTER)))
    requested = kinds(smtp_sink, "Approval needed:")
    assert {to for to, s in requested if "CAT002" in s} == CS
    assert len(requested) == 10

    # when: notify runs (as cron would) at warn_hours, twice -> one reminder each
    history = json.loads(ok(run_cli("approvals", "D-2026-0042", "--json")).stdout)["history"]
    at = datetime.fromisoformat(history[0]["at"])
    with api.Session(ws_path) as s:
        clock = SlaClock(s.workspace.policy.business_hours)
    warn, sla = clock.add(at, 24), clock.add(at, 48)
    first = ok(run_cli("notify", "--now", warn.isoformat()))
    ok(run_cli("notify", "--now", warn.isoformat()))
    assert len(kinds(smtp_sink, "Reminder:")) == 10
    assert "10 sent" in first.stdout

    # when: at sla_hours -> one escalation each, to the approvers and the submitter
    ok(run_cli("notify", "--now", sla.isoformat()))
    ok(run_cli("notify", "--now", sla.isoformat()))
    escalated = kinds(smtp_sink, "Escalation:")
    assert len(escalated) == 14 and (SUBMITTER, escalated[0][1]) in escalated

    # when: every role decides -> the submitter hears of each decision
    for code, where, role, who in [
            ("CAT002", "lines[3]", "cs", "cs.lead@brightfield.example"),
            ("CAT007", "lines[4]", "cs", "cs.deputy@brightfield.example"),
            ("PRC001", "lines[0]", "sales_manager", "sales.manager@brightfield.example"),
            ("PRC001", "lines[0]", "finance", "cfo@brightfield.example"),
            ("PRC001", "lines[1]", "sales_manager", "sales.manager@brightfield.example"),
            ("PRC001", "lines[1]", "finance", "cfo@brightfield.example"),
            ("PRC001", "lines[1]", "cs", "cs.lead@brightfield.example")]:
        ok(run_cli("approve", deal, "--code", code, "--where", where, "--role", role,
                   token=person_token(ws_path, who)))
    decided = kinds(smtp_sink, "Approved:")
    assert len(decided) == 7 and {to for to, _ in decided} == {SUBMITTER}

    # when: the final PO is issued -> the policy's notify lists hear of it and of the go-live
    ok(run_cli("po", deal, "-o", tmp_path / "out", "--date", "2026-11-22", "--format", "pdf",
               token=person_token(ws_path, SUBMITTER)))
    issued = kinds(smtp_sink, "PO issued: PO-2026-000001")
    assert {to for to, _ in issued} == {SUBMITTER, "billing@brightfield.example"}
    live = kinds(smtp_sink, "Go-live set:")
    assert {to for to, _ in live} == {"ops@brightfield.example", "billing@brightfield.example",
                                      "customer.service@brightfield.example",
                                      "hypercare@brightfield.example"}

    # then: nothing was sent twice, and the record says so
    pairs = [(m.to, m.subject) for m in smtp_sink.mails]
    assert len(pairs) == len(set(pairs)) == 10 + 10 + 14 + 7 + 2 + 4
    listed = json.loads(ok(run_cli("notify", "--list", "--json")).stdout)["notifications"]
    assert len(listed) == len(pairs) and {n["status"] for n in listed} == {"sent"}


def test_cli_notify_unusable_url_is_exit_2(ws_path: Path, run_cli: Run) -> None:
    # given / when
    proc = run_cli("notify", env={"DOCGEN_SMTP_URL": "http://mail.example"})
    # then
    assert_no_traceback(proc)
    assert proc.returncode == 2
    assert "DOCGEN_SMTP_URL" in proc.stderr


def test_cli_failed_sends_exit_1_and_submit_still_succeeds(ws_path: Path, run_cli: Run) -> None:
    # given: no mail server listens there
    env = {"DOCGEN_SMTP_URL": f"smtp://127.0.0.1:{free_port()}"}
    # when
    submitted = run_cli("submit", deal_path(ws_path), env=env,
                        token=person_token(ws_path, SUBMITTER))
    proc = run_cli("notify", env=env)
    listed = run_cli("notify", "--list")
    # then
    assert submitted.returncode == 0, submitted.stderr
    assert_no_traceback(proc)
    assert proc.returncode == 1
    assert "failed approval_requested D-2026-0042 CAT002 lines[3]" in proc.stderr
    assert listed.stdout.count(" failed ") == 10


def test_cli_without_smtp_url_records_only(ws_path: Path, run_cli: Run) -> None:
    # given
    ok(run_cli("submit", deal_path(ws_path), token=person_token(ws_path, SUBMITTER)))
    # when
    proc = ok(run_cli("notify"))
    listed = ok(run_cli("notify", "--list", "--deal", "D-2026-0042"))
    # then
    assert "recorded only" in proc.stdout
    assert listed.stdout.count(" recorded ") == 10

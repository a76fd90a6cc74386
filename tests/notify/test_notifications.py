"""Notifications (SPEC §11, issue 15) through the session, against a local SMTP sink.

Times are given explicitly (``now=``): the sample policy counts SLA hours in Amsterdam business
hours (Mon–Fri 09:00–17:30, Dutch public holidays off). A request made on Friday 2026-11-20 at
11:00 local time reaches warn_hours (24) on Wednesday 2026-11-25 at 09:30 and sla_hours (48) on
Friday 2026-11-27 at 16:30 (calendar hours would say Saturday and Sunday).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from docgen import api
from docgen.sla import SlaClock
from tests.conftest import act, person_token, relock_policy
from tests.notify.conftest import SmtpSink, free_port

SUBMITTER = "sam.seller@brightfield.example"
T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # Friday 11:00 in Amsterdam
CS = {"cs.lead@brightfield.example", "cs.deputy@brightfield.example"}


def deal_path(ws_path: Path, name: str = "D-2026-0042") -> Path:
    return next((ws_path / "examples" / "deals").glob(f"{name}*.yaml"))


def clock(ws_path: Path) -> SlaClock:
    with api.Session(ws_path) as s:
        return SlaClock(s.workspace.policy.business_hours)


def submit(ws_path: Path, path: Path, now: datetime = T0) -> None:
    act(ws_path, SUBMITTER, "submit", [path], now=now)


def notify(ws_path: Path, now: datetime, paths: tuple[Path, ...] = ()) -> Any:
    with api.Session(ws_path) as s:
        return s.notify(paths, now=now)


def recipients(mails: list[Any], code_where: str) -> set[str]:
    return {m.to for m in mails if code_where in m.subject}


# -- approval requested ---------------------------------------------------------------------------

def test_submit_mails_everyone_who_can_approve(ws_path: Path, smtp_sink: SmtpSink) -> None:
    # given: D-2026-0042 has four approval findings
    path = deal_path(ws_path)
    # when
    submit(ws_path, path)
    # then: each finding's mail goes to every holder of each role it needs
    mails = smtp_sink.mails
    assert recipients(mails, "CAT002 at lines[3]") == CS
    assert recipients(mails, "PRC001 at lines[0]") == {"sales.manager@brightfield.example",
                                                       "cfo@brightfield.example"}
    assert recipients(mails, "PRC001 at lines[1]") == CS | {"sales.manager@brightfield.example",
                                                            "cfo@brightfield.example"}
    assert len(mails) == 2 + 2 + 2 + 4
    m = next(m for m in mails if "CAT002" in m.subject)
    assert m.msg["From"] == "docgen@brightfield.example"
    assert "On-site data migration" in m.body("plain")
    assert "On-site data migration" in m.body("html")
    assert m.msg["Message-ID"]


def test_submit_again_sends_nothing_twice(ws_path: Path, smtp_sink: SmtpSink) -> None:
    # given
    path = deal_path(ws_path)
    submit(ws_path, path)
    first = len(smtp_sink.mails)
    # when: submitted again, and the pending run finds nothing to send either
    submit(ws_path, path, now=T0 + timedelta(hours=1))
    run = notify(ws_path, T0 + timedelta(hours=1))
    # then
    assert len(smtp_sink.mails) == first
    assert run.sent == [] and run.recorded == []


def test_no_smtp_url_records_without_sending(ws_path: Path) -> None:
    # given: DOCGEN_SMTP_URL is not set
    path = deal_path(ws_path)
    # when
    submit(ws_path, path)
    with api.Session(ws_path) as s:
        found = s.notifications("D-2026-0042")
        run = s.notify(now=T0 + timedelta(days=30))
    # then: recorded for the inbox, marked as such, never "sent"
    assert len(found) == 10
    assert {n.status for n in found} == {"recorded"}
    assert run.record_only and run.sent == []


# -- reminders and escalations -------------------------------------------------------------------

def test_reminder_at_warn_hours_in_business_hours_once(ws_path: Path,
                                                       smtp_sink: SmtpSink) -> None:
    # given
    path = deal_path(ws_path)
    submit(ws_path, path)
    smtp_sink.clear()
    warn = clock(ws_path).add(T0, 24)
    assert warn == datetime(2026, 11, 25, 8, 30, tzinfo=UTC)  # Wednesday 09:30 Amsterdam
    # when: 24 calendar hours later (a Saturday) and just before warn_hours
    notify(ws_path, T0 + timedelta(hours=24))
    notify(ws_path, warn - timedelta(minutes=1))
    # then: nothing is due
    assert smtp_sink.mails == []
    # when: at warn_hours, twice
    notify(ws_path, warn)
    notify(ws_path, warn + timedelta(minutes=15))
    # then: one reminder per (finding, approver)
    mails = smtp_sink.mails
    assert all(m.subject.startswith("Reminder:") for m in mails)
    assert recipients(mails, "CAT002 at lines[3]") == CS
    assert len(mails) == 10


def test_reminder_counts_from_the_first_recorded_revision(ws_path: Path,
                                                         smtp_sink: SmtpSink) -> None:
    # given: the deal validated (its revision recorded) at T0, submitted 20 business hours later
    path = deal_path(ws_path)
    person_token(ws_path, SUBMITTER)  # the database exists: validating records the revision
    with api.Session(ws_path) as s:
        s.validate([path])
        t0 = s.store.revisions("D-2026-0042")[0].recorded_at
    c = clock(ws_path)
    submit(ws_path, path, now=c.add(t0, 20))
    smtp_sink.clear()
    # when: 24 business hours after T0, 4 after the submit
    notify(ws_path, c.add(t0, 24))
    # then: warn_hours have passed since the findings first appeared
    mails = smtp_sink.mails
    assert mails and all(m.subject.startswith("Reminder:") for m in mails)
    assert recipients(mails, "CAT002 at lines[3]") == CS


def test_escalation_at_sla_hours_to_approvers_and_submitter_once(
        ws_path: Path, smtp_sink: SmtpSink) -> None:
    # given
    path = deal_path(ws_path)
    submit(ws_path, path)
    sla = clock(ws_path).add(T0, 48)
    notify(ws_path, sla - timedelta(minutes=1))  # the reminders
    smtp_sink.clear()
    # when
    notify(ws_path, sla)
    notify(ws_path, sla + timedelta(days=3))
    # then
    mails = smtp_sink.mails
    assert all(m.subject.startswith("Escalation:") for m in mails)
    assert recipients(mails, "CAT002 at lines[3]") == CS | {SUBMITTER}
    assert len(mails) == 10 + 4  # every approver of each finding, and the submitter once each


def test_decided_finding_gets_no_reminder(ws_path: Path, smtp_sink: SmtpSink) -> None:
    # given: CAT002 approved before warn_hours; PRC001 lines[0] approved by one of two roles
    path = deal_path(ws_path)
    submit(ws_path, path)
    act(ws_path, "cs.lead@brightfield.example",
        "approve", path, code="CAT002", where="lines[3]", role="cs",
        now=T0 + timedelta(hours=1))
    act(ws_path, "cfo@brightfield.example",
        "approve", path, code="PRC001", where="lines[0]", role="finance",
        now=T0 + timedelta(hours=1))
    smtp_sink.clear()
    # when
    notify(ws_path, clock(ws_path).add(T0, 24))
    # then: no reminder for CAT002; PRC001 lines[0] reminds only the role still missing
    mails = smtp_sink.mails
    assert recipients(mails, "CAT002 at lines[3]") == set()
    assert recipients(mails, "PRC001 at lines[0]") == {"sales.manager@brightfield.example"}


def test_changed_line_reminds_of_the_new_request_only(ws_path: Path, write_deal: Any,
                                                       smtp_sink: SmtpSink) -> None:
    # given: submitted, then the licence discount changed and submitted again
    data = yaml.safe_load(deal_path(ws_path).read_text("utf-8"))
    first = write_deal(data, name="deal.yaml")
    submit(ws_path, first)
    data["lines"][0]["discount_pct"] = "24"
    second = write_deal(data, name="deal.yaml")
    submit(ws_path, second, now=T0 + timedelta(hours=2))
    smtp_sink.clear()
    # when: both requests are past warn_hours
    notify(ws_path, clock(ws_path).add(T0 + timedelta(hours=2), 24))
    # then: PRC001 lines[0] is reminded once per approver, for the line as it is now
    assert len([m for m in smtp_sink.mails if "PRC001 at lines[0]" in m.subject]) == 2


# -- decisions -----------------------------------------------------------------------------------

def test_decision_mails_the_submitter(ws_path: Path, smtp_sink: SmtpSink) -> None:
    # given
    path = deal_path(ws_path)
    submit(ws_path, path)
    smtp_sink.clear()
    # when
    act(ws_path, "cs.lead@brightfield.example",
        "approve", path, code="CAT002", where="lines[3]", role="cs", note="Team booked")
    act(ws_path, "cs.deputy@brightfield.example",
        "reject", path, code="CAT007", where="lines[4]", role="cs",
        note="No consultant free in December")
    # then
    mails = smtp_sink.to(SUBMITTER)
    assert [m.subject.split(":")[0] for m in mails] == ["Approved", "Rejected"]
    assert "Team booked" in mails[0].body()
    assert "no longer blocks" in mails[0].body()
    assert "No consultant free in December" in mails[1].body("html")
    assert len(smtp_sink.mails) == 2


def test_decision_without_submitter_address_goes_to_the_sales_rep(
        ws_path: Path, smtp_sink: SmtpSink) -> None:
    # given: never submitted (the decision records the request itself)
    path = deal_path(ws_path)
    # when
    act(ws_path, "cs.lead@brightfield.example",
        "approve", path, code="CAT002", where="lines[3]", role="cs")
    # then: the deal's sales rep hears of it
    assert [m.to for m in smtp_sink.mails] == [SUBMITTER]


# -- PO issued and go-live -----------------------------------------------------------------------

@pytest.mark.slow
def test_po_issued_and_go_live_mail_the_notify_lists_once(ws_path: Path, tmp_path: Path,
                                                          smtp_sink: SmtpSink) -> None:
    # given: a clean deal (no approvals needed)
    path = deal_path(ws_path, "D-2026-0101")
    # when: the final PO is issued, then issued again for the same content
    for _ in range(2):
        with api.Session(ws_path, token=person_token(ws_path, SUBMITTER)) as s:
            batch = s.render("po", [path], out_dir=tmp_path / "out", formats=("pdf",),
                             issue_date=datetime(2026, 11, 22).date())
        assert batch.ok
    # then: on_po_issued [sales_rep, finance] — finance is the billing team, not the CFO role
    po = [m for m in smtp_sink.mails if m.subject.startswith("PO issued:")]
    assert {m.to for m in po} == {SUBMITTER, "billing@brightfield.example"}
    number = batch.rendered[0].number
    assert number and all(number in m.subject for m in po)
    live = [m for m in smtp_sink.mails if m.subject.startswith("Go-live set:")]
    assert {m.to for m in live} == {"ops@brightfield.example", "billing@brightfield.example",
                                    "customer.service@brightfield.example",
                                    "hypercare@brightfield.example"}
    assert len(smtp_sink.mails) == len(po) + len(live) == 6


def test_go_live_of_a_won_deal_is_told_by_notify_once_per_date(
        ws_path: Path, write_deal: Any, smtp_sink: SmtpSink) -> None:
    # given: a deal at stage won with a go-live date
    data = yaml.safe_load(deal_path(ws_path, "D-2026-0125").read_text("utf-8"))
    path = write_deal(data, name="won.yaml")
    # when: notify runs twice with the deal, then the date moves
    notify(ws_path, T0, (path,))
    notify(ws_path, T0, (path,))
    first = len(smtp_sink.mails)
    data["go_live"] = "2027-01-25"
    path = write_deal(data, name="won.yaml")
    notify(ws_path, T0, (path,))
    # then
    assert first == 4
    assert len(smtp_sink.mails) == 8
    assert "25" in smtp_sink.mails[-1].subject


def test_go_live_before_onboarding_stage_is_not_told(ws_path: Path, smtp_sink: SmtpSink) -> None:
    # given: D-2026-0101 is at stage approval (onboarding_from is won) and has no PO
    # when
    notify(ws_path, T0, (deal_path(ws_path, "D-2026-0101"),))
    # then
    assert smtp_sink.mails == []


# -- failures ------------------------------------------------------------------------------------

def test_refused_send_is_recorded_and_retried_next_run(ws_path: Path,
                                                       smtp_sink: SmtpSink) -> None:
    # given: the server refuses every message for now
    smtp_sink.handler.refuse = "451 4.3.0 Try again later"
    path = deal_path(ws_path)
    # when: submit still succeeds
    submit(ws_path, path)
    with api.Session(ws_path) as s:
        failed = s.notifications("D-2026-0042")
    # then
    assert {n.status for n in failed} == {"failed"}
    assert all("451" in (n.last_error or "") for n in failed)
    # when: the server is back, notify retries each once
    smtp_sink.handler.refuse = None
    run = notify(ws_path, T0 + timedelta(minutes=5))
    again = notify(ws_path, T0 + timedelta(minutes=10))
    # then
    assert len(run.sent) == 10 and again.sent == []
    assert len(smtp_sink.mails) == 10


def test_unreachable_server_never_fails_the_command(ws_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # given: nobody listens on the port
    monkeypatch.setenv("DOCGEN_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    path = deal_path(ws_path)
    # when
    with api.Session(ws_path) as s:
        subs = act(ws_path, SUBMITTER, "submit", [path], now=T0)
        found = s.notifications()
        run = s.notify(now=T0)
    # then: the requests are recorded, the mails wait as failed
    assert subs[0].created == 4
    assert {n.status for n in found} == {"failed"}
    assert len(run.failed) == 10 and not run.sent


def test_broken_mail_template_warns_and_the_command_goes_on(
        ws_path: Path, smtp_sink: SmtpSink, caplog: pytest.LogCaptureFixture) -> None:
    # given: a workspace whose mail template does not compile
    (ws_path / "templates" / "mail" / "approval_requested.txt").write_text(
        "{% if %}broken", "utf-8")
    # when
    with caplog.at_level(logging.WARNING, logger="docgen.notify"):
        subs = act(ws_path, SUBMITTER, "submit", [deal_path(ws_path)], now=T0)
    # then
    assert subs[0].created == 4
    assert "approval_requested.txt" in caplog.text
    assert smtp_sink.mails == []


# -- content -------------------------------------------------------------------------------------

def test_mails_are_translated_by_the_policy_locale(ws_path: Path, smtp_sink: SmtpSink) -> None:
    # given: notifications in German
    policy = ws_path / "skus" / "policy.yaml"
    policy.write_text(policy.read_text("utf-8").replace("  locale: en\n", "  locale: de_DE\n"),
                      "utf-8")
    relock_policy(ws_path)
    # when
    submit(ws_path, deal_path(ws_path))
    # then: subject, labels, dates and amounts in German
    m = next(m for m in smtp_sink.mails if "CAT002" in m.subject)
    assert m.subject == "Genehmigung nötig: D-2026-0042, CAT002 bei lines[3]"
    text = m.body()
    assert "Fällig bis" in text and "4.500,00\xa0€" in text and "20.11.2026" in text
    assert 'lang="de"' in m.body("html")
    assert m.msg["Content-Language"] == "de-DE"


def test_html_body_escapes_deal_text(ws_path: Path, write_deal: Any,
                                     smtp_sink: SmtpSink) -> None:
    # given: a custom line whose description holds markup
    data = yaml.safe_load(deal_path(ws_path).read_text("utf-8"))
    data["lines"][3]["custom"]["description"] = "<script>alert(1)</script> migration"
    path = write_deal(data)
    # when
    submit(ws_path, path)
    # then
    m = next(m for m in smtp_sink.mails if "CAT002" in m.subject)
    assert "<script>" not in m.body("html")
    assert "&lt;script&gt;" in m.body("html")
    assert "<script>alert(1)</script>" in m.body("plain")


def test_workspace_mail_template_is_used(ws_path: Path, smtp_sink: SmtpSink) -> None:
    # given: the workspace's own wording
    (ws_path / "templates" / "mail" / "approval_requested.txt").write_text(
        "Please look at {{ deal }} ({{ finding.code }})\n\nThanks, {{ vendor }}\n", "utf-8")
    # when
    submit(ws_path, deal_path(ws_path))
    # then
    m = next(m for m in smtp_sink.mails if "CAT002" in m.subject)
    assert m.subject == "Please look at D-2026-0042 (CAT002)"
    assert m.body().startswith("Thanks, Brightfield")

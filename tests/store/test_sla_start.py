"""The SLA clock starts when a finding first appears on a recorded revision, and a request's
history (breached, met, answered late) survives later edits of its line (issue 15, item 2).

Revisions are recorded with the clock when the session validates, submits, decides or issues a
deal, so these tests take the recorded time as their T0 and put the requests and decisions
before or after it (``now=``), as a seller who validates first and submits days later would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from docgen import api
from docgen.models.policy import Policy
from docgen.report import ExceptionRow, Report, build_report
from docgen.sla import SlaClock
from tests.conftest import act, admin_token_for, example_data

SAM = "sam.seller@brightfield.example"
CS = "cs.lead@brightfield.example"
DEAL = "D-2026-0042"


def _deal(write_deal: Callable[..., Path], ws_path: Path) -> Path:
    admin_token_for(ws_path)  # the database exists: validating records revisions
    return write_deal(example_data(DEAL), name=f"{DEAL}.yaml")


def _first_recorded(ws_path: Path) -> datetime:
    with api.Session(ws_path) as s:
        return s.store.revisions(DEAL)[0].recorded_at


def _row(rep: Report, code: str, where: str, status: str | None = None) -> ExceptionRow:
    return next(r for r in rep.rows if (r.code, r.where) == (code, where)
                and (status is None or r.status == status))


def _calendar_report(ws_path: Path, path: Path, now: datetime) -> Report:
    """The report with the SLA in calendar hours (the policy without business_hours)."""
    with api.Session(ws_path) as s:
        results = s.validate([path], approvals=False)
        policy: Policy = s.workspace.policy.model_copy(update={"business_hours": None})
        return build_report(results, s.store, policy, now,
                            counted=lambda r: s.counted_decisions(r.deal))


def test_the_clock_starts_at_the_first_recorded_revision_not_at_submit(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: the deal with an over-band discount is validated (recorded) at T0 ...
    path = _deal(write_deal, ws_path)
    with api.Session(ws_path) as s:
        s.validate([path])
        clock = SlaClock(s.workspace.policy.business_hours)
    t0 = _first_recorded(ws_path)
    # ... and submitted 30 business hours later
    submitted = clock.add(t0, 30)
    act(ws_path, SAM, "submit", [path], now=submitted)

    # when: the report 40 business hours after T0
    with api.Session(ws_path) as s:
        rep = s.report([path], now=clock.add(t0, 40))

    # then: its age counts from T0 (10 h from the submit would be "on time")
    row = _row(rep, "PRC001", "lines[0]")
    assert row.status == "pending"
    assert row.requested_at == submitted
    assert row.clock_from == t0
    assert row.age == timedelta(hours=40)
    assert row.sla.value == "due soon"
    assert row.due_at == clock.add(t0, 48)
    assert row.to_json()["clock_from"] == t0.isoformat(timespec="seconds")


def test_a_finding_never_submitted_is_on_the_clock_from_its_first_revision(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: validated at T0, never submitted
    path = _deal(write_deal, ws_path)
    with api.Session(ws_path) as s:
        s.validate([path])
        clock = SlaClock(s.workspace.policy.business_hours)
    t0 = _first_recorded(ws_path)

    # when: 50 business hours later
    with api.Session(ws_path) as s:
        rep = s.report([path], now=clock.add(t0, 50))
        before = s.report([path], now=t0 - timedelta(seconds=1))

    # then: every exception is breached although nobody ran submit
    rows = [r for r in rep.rows if r.status == "not submitted"]
    assert len(rows) == 4
    assert {r.sla.value for r in rows} == {"breached"}
    assert all(r.clock_from == t0 and r.requested_at is None for r in rows)
    assert all(r.age == timedelta(hours=50) for r in rows)
    # a report as of a moment before the revision was recorded knows nothing of it yet
    assert {r.sla.value for r in before.rows} == {"not started"}


def test_a_breached_request_stays_missed_after_its_line_is_edited(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: a request made 60 hours ago, never answered (breached at 48 h) ...
    path = _deal(write_deal, ws_path)
    requested = datetime.now(UTC) - timedelta(hours=60)
    act(ws_path, SAM, "submit", [path], now=requested)
    # ... then the seller edits the discounted line (12 -> 13 licences) and validates it
    data = yaml.safe_load(path.read_text("utf-8"))
    data["lines"][0]["quantity"] = 13
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    with api.Session(ws_path) as s:
        s.validate([path])
        edited_at = s.store.revisions(DEAL)[-1].recorded_at

    # when: a day later
    rep = _calendar_report(ws_path, path, edited_at + timedelta(hours=24))

    # then: the old request is on record as missed, closed when the edit was recorded
    old = _row(rep, "PRC001", "lines[0]", "line changed")
    assert old.sla.value == "missed"
    assert old.requested_at == requested and old.closed_at == edited_at
    assert old.age == edited_at - requested
    assert old not in rep.open_rows
    # the edited line is a new finding, on the clock since the edit
    new = _row(rep, "PRC001", "lines[0]", "not submitted")
    assert new.clock_from == edited_at and new.age == timedelta(hours=24)


def test_a_request_whose_line_changed_before_its_deadline_is_not_missed_later(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: a request made 10 hours before its line was edited
    path = _deal(write_deal, ws_path)
    requested = datetime.now(UTC) - timedelta(hours=10)
    act(ws_path, SAM, "submit", [path], now=requested)
    data = yaml.safe_load(path.read_text("utf-8"))
    data["lines"][0]["discount_pct"] = "24"
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    with api.Session(ws_path) as s:
        s.validate([path])
        edited_at = s.store.revisions(DEAL)[-1].recorded_at

    # when: three days later, long past the 48 hours the old request had
    rep = _calendar_report(ws_path, path, edited_at + timedelta(hours=72))

    # then: its clock stopped at the edit, within the SLA
    old = _row(rep, "PRC001", "lines[0]", "line changed")
    assert old.closed_at == edited_at
    assert old.sla.value == "met"


def test_a_late_answer_stays_late_after_its_line_is_edited(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: CAT002 requested 60 hours ago and approved 50 hours after the request (late) ...
    path = _deal(write_deal, ws_path)
    requested = datetime.now(UTC) - timedelta(hours=60)
    act(ws_path, SAM, "submit", [path], now=requested)
    act(ws_path, CS, "approve", path, code="CAT002", where="lines[3]", role="cs",
        now=requested + timedelta(hours=50))
    # ... then the custom line is edited
    data = yaml.safe_load(path.read_text("utf-8"))
    data["lines"][3]["custom"]["quantity"] = 2
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    with api.Session(ws_path) as s:
        s.validate([path])

    # when
    rep = _calendar_report(ws_path, path, datetime.now(UTC) + timedelta(hours=1))

    # then: the answer is on record as late, as of the decision
    old = _row(rep, "CAT002", "lines[3]", "line changed")
    assert old.sla.value == "missed"
    assert old.closed_at == requested + timedelta(hours=50)
    assert [d.by for d in old.decisions] == [CS]


def test_revisions_recorded_by_validate_keep_their_approval_findings(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given / when: `docgen validate` (the fast SQLite path) records the revision
    path = _deal(write_deal, ws_path)
    with api.Session(ws_path) as s:
        s.validate([path])
    # then
    with api.Session(ws_path) as s:
        (rev,) = s.store.revision_findings([DEAL])
        (result,) = s.validate([path], approvals=False)
    assert rev.findings == frozenset(result.approval_keys)
    assert {c for c, _, _ in rev.findings} == {"CAT002", "CAT007", "PRC001"}


def test_a_revision_recorded_before_findings_were_kept_gets_them(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: a revision as a docgen before 0008 recorded it (no findings)
    path = _deal(write_deal, ws_path)
    with api.Session(ws_path) as s:
        (result,) = s.validate([path], approvals=False)
        store: Any = s.store
        from sqlalchemy import update

        from docgen.store._tables import deal_revisions
        with store._write() as conn:  # noqa: SLF001 - simulating an older database
            conn.execute(update(deal_revisions).values(findings=None))
        assert store.revision_findings([DEAL])[0].findings is None
    # when
    with api.Session(ws_path) as s:
        s.validate([path])
        (rev,) = s.store.revision_findings([DEAL])
    # then
    assert rev.findings == frozenset(result.approval_keys)

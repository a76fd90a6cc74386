"""Approvals bound to fingerprints: resolving findings, refusals, history, a killed approver."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from docgen import api
from docgen.approvals import (
    SlaState,
    decide,
    history,
    line_approvals,
    resolve,
    sla_state,
    submit,
)
from docgen.errors import InputError
from docgen.findings import Finding, Gate, Severity
from docgen.models.policy import ExceptionPolicy
from docgen.store import Decision, open_reader, open_store
from docgen.validate import DealResult
from docgen.workspace import Workspace
from tests.conftest import REPO, example, example_data
from tests.store.conftest import Backend, person
from tests.store.test_store import _hang_then_kill

CS = "cs.lead@brightfield.example"
FINANCE = "cfo@brightfield.example"
MANAGER = "sales.manager@brightfield.example"
PEOPLE = {"cs": CS, "finance": FINANCE, "sales_manager": MANAGER}


def raw(ws: Workspace, path: Path) -> DealResult:
    """The deal validated without recorded approvals (what decisions bind to)."""
    with api.Session(ws) as s:
        (result,) = s.validate([path], approvals=False)
    return result


def resolved(ws: Workspace, path: Path) -> DealResult:
    """The deal validated as ``docgen validate`` does it."""
    with api.Session(ws) as s:
        (result,) = s.validate([path])
    return result


def codes(result: DealResult) -> set[tuple[str, str, str]]:
    return {(f.code, f.where, f.severity.value) for f in result.findings
            if f.code[:3] in ("CAT", "PRC")}


def approve_all(store: Any, ws: Workspace, result: DealResult, *,
                only: Callable[[Finding], bool] = lambda f: True) -> None:
    for f in result.findings:
        if f.severity is Severity.APPROVAL and only(f):
            for role in f.approvers:
                decide(store, ws.policy, result, code=f.code, where=f.where, role=role,
                       by=person(store, PEOPLE[role]), decision="approve")


APPROVALS_0042 = {("CAT002", "lines[3]", "approval"), ("CAT007", "lines[4]", "approval"),
                  ("PRC001", "lines[0]", "approval"), ("PRC001", "lines[1]", "approval")}


# -- pure logic ----------------------------------------------------------------------------------

def _finding(code: str = "PRC001", where: str = "lines[0]", fp: str = "f1",
             approvers: tuple[str, ...] = ("sales_manager", "finance")) -> Finding:
    return Finding(code=code, severity=Severity.APPROVAL, gate=Gate.PO, where=where,
                   message="needs approval", approvers=approvers,
                   hint=f"docgen approve D --code {code} --where {where} --role "
                        f"{'|'.join(approvers)}", fingerprint=fp)


def _decision(role: str, kind: str = "approve", fp: str = "f1", code: str = "PRC001",
              where: str = "lines[0]", note: str | None = None) -> Decision:
    return Decision(deal_id="D", code=code, where=where, fingerprint=fp, role=role,
                    by=PEOPLE[role], decision=kind, note=note,  # type: ignore[arg-type]
                    decided_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))


def test_resolve_needs_every_role_of_the_same_fingerprint() -> None:
    f = _finding()
    assert resolve([f], []) == [f]
    assert resolve([f], [_decision("sales_manager"), _decision("finance")]) == []
    # a decision on another fingerprint, code or location does not count
    assert resolve([f], [_decision("sales_manager"), _decision("finance", fp="f2")]) != []
    assert resolve([f], [_decision("sales_manager"), _decision("finance", code="CAT002")]) != []
    assert resolve([f], [_decision("sales_manager"), _decision("finance", where="lines[1]")]) \
        != []


def test_resolve_partial_approval_names_what_is_missing() -> None:
    # when
    (left,) = resolve([_finding()], [_decision("sales_manager")])

    # then
    assert left.severity is Severity.APPROVAL
    assert left.approvers == ("finance",)
    assert left.hint.endswith("--role finance")
    assert MANAGER in left.message


def test_resolve_rejection_is_an_error_naming_who_and_why() -> None:
    # when
    (left,) = resolve([_finding()], [_decision("sales_manager"),
                                     _decision("finance", "reject", note="margin too thin")])

    # then
    assert left.severity is Severity.ERROR
    assert left.code == "PRC001" and left.gate is Gate.PO and left.blocking
    assert FINANCE in left.message and "margin too thin" in left.message
    assert left.approvers == ()


def test_resolve_never_clears_a_finding_that_names_no_role() -> None:
    f = _finding(approvers=())
    assert resolve([f], [_decision("finance"), _decision("sales_manager")]) == [f]


def test_resolve_leaves_other_findings_alone() -> None:
    other = Finding(code="CUS001", severity=Severity.ERROR, gate=Gate.PO, where="customer",
                    message="x")
    assert resolve([other], [_decision("finance")]) == [other]


@pytest.mark.parametrize(("hours", "state"), [
    (0, SlaState.ON_TIME), (23.9, SlaState.ON_TIME), (24, SlaState.DUE_SOON),
    (47.9, SlaState.DUE_SOON), (48, SlaState.BREACHED), (500, SlaState.BREACHED)])
def test_sla_state_open(hours: float, state: SlaState) -> None:
    policy = ExceptionPolicy(approvers=["cs"], warn_hours=24, sla_hours=48)
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert sla_state(at, at + timedelta(hours=hours), policy) is state


def test_sla_state_closed_and_not_started() -> None:
    policy = ExceptionPolicy(approvers=["cs"], warn_hours=24, sla_hours=48)
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    late = at + timedelta(days=30)
    assert sla_state(None, late, policy) is SlaState.NOT_STARTED
    assert sla_state(at, late, policy, closed_at=at + timedelta(hours=47)) is SlaState.MET
    assert sla_state(at, late, policy, closed_at=at + timedelta(hours=49)) is SlaState.MISSED


# -- no database: no reader, no SQLAlchemy -----------------------------------------------------

def _imports_after_open_reader(root: Path) -> tuple[bool, bool]:
    code = ("import sys; from pathlib import Path; from docgen.store import open_reader; "
            "from docgen.workspace import Workspace; "
            f"r = open_reader(Workspace(Path({str(root)!r}))); "
            "print(r is not None, 'sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO, env={"PATH": "/usr/bin:/bin"}).stdout.split()
    return out[0] == "True", out[1] == "True"


def test_open_reader_without_database_is_none_and_light(ws: Workspace) -> None:
    assert _imports_after_open_reader(ws.root) == (False, False)
    assert not (ws.root / ".docgen").exists()  # and nothing was created


def test_open_reader_sqlite_reads_without_sqlalchemy(ws: Workspace) -> None:
    # given: a store at the current schema
    open_store(ws).close()

    # then: the store reads decisions with the standard library's sqlite3
    assert _imports_after_open_reader(ws.root) == (True, False)


def test_open_reader_migrates_an_old_sqlite_file(ws: Workspace) -> None:
    # given: a database file that was never migrated
    ws.state_dir.mkdir()
    sqlite3.connect(ws.state_dir / "docgen.db").close()

    # when
    reader = open_reader(ws)

    # then
    assert reader is not None
    reader.close()
    with open_store(ws) as s:
        assert s.schema_revision() is not None


# -- the flow on both backends -----------------------------------------------------------------

def test_approvals_every_role_unblocks_the_deal(ws: Workspace, store: Any) -> None:
    # given
    path = example("D-2026-0042")
    result = raw(ws, path)
    assert APPROVALS_0042 <= codes(result)

    # when
    submit(store, result, by="sam.seller@brightfield.example")
    approve_all(store, ws, result)

    # then
    after = resolved(ws, path)
    assert not [f for f in after.findings if f.severity is Severity.APPROVAL]
    assert not [f for f in after.findings if f.code[:3] in ("CAT", "PRC")]


def test_approvals_partial_then_complete(ws: Workspace, store: Any) -> None:
    # given
    path = example("D-2026-0042")
    result = raw(ws, path)

    # when
    decide(store, ws.policy, result, code="PRC001", where="lines[0]", role="sales_manager",
           by=person(store, MANAGER), decision="approve")

    # then
    (f,) = [f for f in resolved(ws, path).findings if (f.code, f.where) == ("PRC001", "lines[0]")]
    assert f.approvers == ("finance",)
    decide(store, ws.policy, result, code="PRC001", where="lines[0]", role="finance",
           by=person(store, FINANCE), decision="approve")
    assert not [f for f in resolved(ws, path).findings
                if (f.code, f.where) == ("PRC001", "lines[0]")]


def test_approvals_edited_line_loses_its_approval_other_lines_keep_theirs(
        ws: Workspace, store: Any, write_deal: Callable[..., Path]) -> None:
    # given: every approval recorded on the deal as it was
    data = example_data("D-2026-0042")
    path = write_deal(data)
    approve_all(store, ws, raw(ws, path))
    assert not {c for c in codes(resolved(ws, path)) if c[2] == "approval"}

    # when: the custom line's price changes (lines[3]); nothing else
    data["lines"][3]["custom"]["unit_price"] = "4900.00"
    path = write_deal(data)

    # then: only that line's finding is back
    after = {c for c in codes(resolved(ws, path)) if c[2] == "approval"}
    assert after == {("CAT002", "lines[3]", "approval")}


def test_approvals_discount_change_loses_the_discount_approval(
        ws: Workspace, store: Any, write_deal: Callable[..., Path]) -> None:
    data = example_data("D-2026-0042")
    path = write_deal(data)
    approve_all(store, ws, raw(ws, path))
    data["lines"][0]["discount_pct"] = "26"
    after = {c for c in codes(resolved(ws, write_deal(data))) if c[2] == "approval"}
    assert after == {("PRC001", "lines[0]", "approval")}


def test_approvals_rejection_is_an_error_until_the_line_changes(
        ws: Workspace, store: Any, write_deal: Callable[..., Path]) -> None:
    # given
    data = example_data("D-2026-0042")
    path = write_deal(data)
    result = raw(ws, path)

    # when
    decide(store, ws.policy, result, code="CAT007", where="lines[4]", role="cs",
           by=person(store, CS),
           decision="reject", note="no consultant free in December")

    # then
    (f,) = [f for f in resolved(ws, path).findings if (f.code, f.where) == ("CAT007", "lines[4]")]
    assert f.severity is Severity.ERROR
    assert CS in f.message and "no consultant free in December" in f.message
    with pytest.raises(InputError, match="rejected"):
        decide(store, ws.policy, result, code="CAT007", where="lines[4]", role="cs",
               by=person(store, "cs.deputy@brightfield.example"), decision="approve")
    # a changed line is a new question
    data["lines"][4]["quantity"] = 1
    (g,) = [f for f in resolved(ws, write_deal(data)).findings
            if (f.code, f.where) == ("CAT007", "lines[4]")]
    assert g.severity is Severity.APPROVAL


@pytest.mark.parametrize(("args", "field"), [
    ({"role": "cs", "by": FINANCE}, "--role"),                    # does not hold the role
    ({"role": "ceo", "by": CS}, "--role"),                        # no such role
    ({"role": "finance", "by": FINANCE}, "--role"),               # role the finding doesn't need
    ({"role": "cs", "by": CS, "where": "lines[0]"}, "--code/--where"),  # no such finding
    ({"role": "cs", "by": CS, "code": "PRC002"}, "--code/--where"),
    ({"role": "cs", "by": CS, "decision": "reject"}, "--note"),   # a rejection needs a reason
])
def test_approvals_refused_records_nothing(ws: Workspace, store: Any, args: dict[str, str],
                                           field: str) -> None:
    # given
    result = raw(ws, example("D-2026-0042"))
    kw: dict[str, Any] = {"code": "CAT002", "where": "lines[3]", "decision": "approve", **args}
    kw["by"] = person(store, kw["by"])

    # when
    with pytest.raises(InputError) as exc:
        decide(store, ws.policy, result, **kw)

    # then
    assert field in {p.path for p in exc.value.problems}
    assert store.decisions(["D-2026-0042"]) == []
    assert store.requests(["D-2026-0042"]) == []


def test_approvals_email_case_does_not_matter_and_duplicates_are_ignored(
        ws: Workspace, store: Any) -> None:
    result = raw(ws, example("D-2026-0042"))
    first = decide(store, ws.policy, result, code="CAT002", where="lines[3]", role="cs",
                   by=person(store, CS.upper()), decision="approve")
    again = decide(store, ws.policy, result, code="CAT002", where="lines[3]", role="cs",
                   by=person(store, "cs.deputy@brightfield.example"), decision="approve")
    assert first.status == "recorded" and first.decision.by == CS
    assert again.status == "duplicate" and again.existing is not None and again.existing.by == CS
    assert len(store.decisions(["D-2026-0042"])) == 1
    with pytest.raises(InputError, match="already decided"):
        decide(store, ws.policy, result, code="CAT002", where="lines[3]", role="cs",
               by=person(store, CS),
               decision="reject", note="changed my mind")


def test_submit_is_idempotent_and_restarts_for_a_changed_line(
        ws: Workspace, store: Any, write_deal: Callable[..., Path]) -> None:
    # given
    data = example_data("D-2026-0042")
    path = write_deal(data)
    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    # when
    first = submit(store, raw(ws, path), by="sam", now=t0)
    second = submit(store, raw(ws, path), now=t0 + timedelta(hours=5))
    data["lines"][3]["custom"]["quantity"] = 2
    third = submit(store, raw(ws, write_deal(data)), now=t0 + timedelta(hours=6))

    # then
    assert all(created for _, created in first) and len(first) >= 4
    assert not any(created for _, created in second)
    assert {r.requested_at for r, _ in second} == {t0}
    new = [(r.code, r.where) for r, created in third if created]
    assert new == [("CAT002", "lines[3]")]
    cat002 = next(r for r, _ in third if r.code == "CAT002")
    assert cat002.requested_at == t0 + timedelta(hours=6)
    assert cat002.amount is not None and cat002.currency == "EUR"


def test_line_approvals_for_the_po(ws: Workspace, store: Any,
                                   write_deal: Callable[..., Path]) -> None:
    # given
    data = example_data("D-2026-0042")
    path = write_deal(data)
    result = raw(ws, path)
    approve_all(store, ws, result)

    # when
    decisions = store.decisions_for(result.deal.deal)
    per_line = line_approvals(result.priced, decisions)
    data["lines"][0]["quantity"] = 24
    changed = line_approvals(raw(ws, write_deal(data)).priced, decisions)

    # then
    assert sorted(per_line) == ["lines[0]", "lines[1]", "lines[3]", "lines[4]"]
    assert {(a.code, a.role, a.by) for a in per_line["lines[0]"]} == {
        ("PRC001", "sales_manager", MANAGER), ("PRC001", "finance", FINANCE)}
    assert all(a.at.tzinfo is not None for recs in per_line.values() for a in recs)
    assert "lines[0]" not in changed and "lines[3]" in changed


def test_history_marks_stale_entries(ws: Workspace, store: Any,
                                     write_deal: Callable[..., Path]) -> None:
    data = example_data("D-2026-0042")
    path = write_deal(data)
    submit(store, raw(ws, path))
    approve_all(store, ws, raw(ws, path), only=lambda f: f.code == "CAT002")
    data["lines"][3]["custom"]["unit_price"] = "1.00"
    entries = history(store, "D-2026-0042", raw(ws, write_deal(data)))
    cat002 = [(e.event, e.current) for e in entries if e.code == "CAT002"]
    assert cat002 == [("requested", False), ("approved", False)]
    assert history(store, "D-2026-0042")[0].current is None


def test_approvals_killed_mid_decision_leaves_nothing(ws: Workspace, backend: Backend) -> None:
    # given
    open_store(ws).close()
    deal = example("D-2026-0042")

    # when: the approving process dies after inserting its decision, before committing
    _hang_then_kill(ws, backend, "approval_decisions", str(deal))

    # then: neither the decision nor its request exists, and the next approval goes through
    with open_store(ws) as s:
        assert s.decisions(["D-2026-0042"]) == []
        assert s.requests(["D-2026-0042"]) == []
        out = decide(s, ws.policy, raw(ws, deal), code="CAT002", where="lines[3]", role="cs",
                     by=person(s, CS), decision="approve")
        assert out.status == "recorded"
        assert len(s.decisions(["D-2026-0042"])) == 1

"""The CS exception report: statuses, SLA states, ordering, and the four file formats."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from docgen import api
from docgen.approvals import decide, submit
from docgen.cli import cli
from docgen.report import CSV_COLUMNS, build_report, report_csv
from docgen.models.policy import Policy
from docgen.validate import DealResult
from docgen.workspace import Workspace
from tests.conftest import example_data
from tests.store.conftest import person

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CS = "cs.lead@brightfield.example"


def calendar(ws: Workspace) -> Policy:
    """The workspace's policy with the SLA in calendar hours (no business_hours)."""
    return ws.policy.model_copy(update={"business_hours": None})


def raw(ws: Workspace, path: Path) -> DealResult:
    with api.Session(ws) as s:
        (result,) = s.validate([path], approvals=False)
    return result


@pytest.fixture
def deals(write_deal: Callable[..., Path]) -> dict[str, Path]:
    """Three deals with the same exceptions: submitted early, submitted late, never submitted."""
    out = {}
    for deal_id, customer in (("D-2026-0042", "Acme Retail GmbH"),
                              ("D-2026-0043", "Bolt & <Sons> Ltd"),
                              ("D-2026-0044", "=HYPERLINK(\"http://x\")")):
        data = example_data("D-2026-0042")
        data["deal"] = deal_id
        data["customer"]["name"] = customer
        out[deal_id] = write_deal(data, name=f"{deal_id}.yaml")
    return out


@pytest.fixture
def populated(ws: Workspace, store: Any, deals: dict[str, Path]) -> dict[str, DealResult]:
    """0042 submitted at T0 (CAT002 approved at T0+2h, CAT007 rejected at T0+49h),
    0043 submitted at T0+40h, 0044 never submitted."""
    results = {k: raw(ws, p) for k, p in deals.items()}
    submit(store, results["D-2026-0042"], by="sam", now=T0)
    submit(store, results["D-2026-0043"], now=T0 + timedelta(hours=40))
    r = results["D-2026-0042"]
    decide(store, ws.policy, r, code="CAT002", where="lines[3]", role="cs", by=person(store, CS),
           decision="approve", now=T0 + timedelta(hours=2))
    decide(store, ws.policy, r, code="CAT007", where="lines[4]", role="cs", by=person(store, CS),
           decision="reject", note="no consultant free", now=T0 + timedelta(hours=49))
    decide(store, ws.policy, r, code="PRC001", where="lines[0]", role="sales_manager",
           by=person(store, "sales.manager@brightfield.example"), decision="approve",
           now=T0 + timedelta(hours=3))
    return results


def test_report_states_counts_and_order(ws: Workspace, store: Any,
                                        populated: dict[str, DealResult]) -> None:
    # when: 50 h after T0 (0042's open requests are breached, 0043's are 10 h old)
    rep = build_report(list(populated.values()), store, calendar(ws),
                       T0 + timedelta(hours=50))

    # then
    rows = [(r.deal_id, r.code, r.where, r.status, r.sla.value) for r in rep.rows]
    assert rows[:2] == [("D-2026-0042", "PRC001", "lines[0]", "pending", "breached"),
                        ("D-2026-0042", "PRC001", "lines[1]", "pending", "breached")]
    assert [r[4] for r in rows[2:6]] == ["on time"] * 4
    assert {r[0] for r in rows[2:6]} == {"D-2026-0043"}
    assert [r[3:] for r in rows[6:10]] == [("not submitted", "not started")] * 4
    assert rows[10:] == [("D-2026-0042", "CAT007", "lines[4]", "rejected", "missed"),
                         ("D-2026-0042", "CAT002", "lines[3]", "approved", "met")]
    assert rep.by_status == {"pending": 6, "not submitted": 4, "to fix": 0, "rejected": 1,
                             "approved": 1, "line changed": 0}
    assert rep.by_sla == {"breached": 2, "due soon": 0, "on time": 4, "not started": 4,
                          "missed": 1, "met": 1}
    # within the not-submitted group, the largest amount at stake comes first
    amounts = [r.amount.amount for r in rep.rows[6:10] if r.amount]
    assert amounts == sorted(amounts, reverse=True)
    first = rep.rows[0]
    # a discount approval puts the discount at stake: 25 % of 14,400.00
    assert (first.code, str(first.amount)) == ("PRC001", "3600.00 EUR")
    assert first.waiting_for == ("finance",)
    assert first.age == timedelta(hours=50)
    assert first.due_at == T0 + timedelta(hours=48)
    assert first.customer == "Acme Retail GmbH" and first.sales_rep == "Sam Seller"


@pytest.mark.parametrize(("hours", "state"), [(10, "on time"), (30, "due soon"),
                                              (48, "breached")])
def test_report_sla_clock(ws: Workspace, store: Any, populated: dict[str, DealResult],
                          hours: int, state: str) -> None:
    rep = build_report([populated["D-2026-0043"]], store, calendar(ws),
                       T0 + timedelta(hours=40 + hours))
    assert {r.sla.value for r in rep.rows} == {state}


def test_report_as_of_a_past_moment(ws: Workspace, store: Any,
                                    populated: dict[str, DealResult]) -> None:
    # when: before 0043 was submitted and before 0042's rejection
    rep = build_report(list(populated.values()), store, calendar(ws),
                       T0 + timedelta(hours=30))

    # then
    assert rep.by_status == {"pending": 3, "not submitted": 8, "to fix": 0, "rejected": 0,
                             "approved": 1, "line changed": 0}
    assert all(r.age is None or r.age >= timedelta(0) for r in rep.rows)


def test_report_without_database_lists_everything_not_submitted(
        ws: Workspace, deals: dict[str, Path]) -> None:
    rep = build_report([raw(ws, deals["D-2026-0042"])], None, calendar(ws), T0)
    assert {r.status for r in rep.rows} == {"not submitted"}
    assert len(rep.rows) == 4


def test_report_csv_is_spreadsheet_safe(ws: Workspace, store: Any,
                                        populated: dict[str, DealResult]) -> None:
    # when
    data = report_csv(build_report(list(populated.values()), store, calendar(ws), T0))

    # then
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 12
    injected = [r for r in rows if r["deal"] == "D-2026-0044"]
    assert injected and all(r["customer"].startswith("'=") for r in injected)


# -- the four formats through the command line ----------------------------------------------

@pytest.fixture
def report_files(ws_path: Path, populated: dict[str, DealResult], deals: dict[str, Path],
                 tmp_path: Path) -> dict[str, Path]:
    out = {}
    for fmt in ("html", "pdf", "csv", "json"):
        path = tmp_path / "out" / f"exceptions.{fmt}"
        res = CliRunner().invoke(cli, ["-w", str(ws_path), "report", *map(str, deals.values()),
                                       "-o", str(path), "--now", "2026-11-30T13:00:00+01:00"])
        assert res.exit_code == 0, res.output
        out[fmt] = path
    return out


def test_report_json_file(report_files: dict[str, Path]) -> None:
    data = json.loads(report_files["json"].read_text("utf-8"))
    assert data["now"] == "2026-11-30T12:00:00+00:00"
    # the sample policy's business hours (Amsterdam, Mon-Fri 09:00-17:30): from T0 (Friday
    # 10:00 local) that is 7.5 h on Friday, 5 x 8.5 h the week after, 4 h on Monday
    assert data["policy"]["hours"].startswith("business hours: Mon–Fri 09:00–17:30")
    assert data["summary"]["total"] == 12 == len(data["exceptions"])
    assert sum(data["summary"]["by_status"].values()) == 12
    assert sum(data["summary"]["by_sla_state"].values()) == 12
    first = data["exceptions"][0]
    assert (first["deal"], first["sla_state"], first["amount"], first["currency"]) == (
        "D-2026-0042", "breached", "3600.00", "EUR")
    assert first["amount_at_stake"] == "€3,600.00"
    assert first["age_hours"] == "54.0"
    # the rejection came on Sunday, 7.5 business hours after the request: within the SLA
    rejected = next(e for e in data["exceptions"] if e["status"] == "rejected")
    assert rejected["sla_state"] == "met"


def test_report_csv_file(report_files: dict[str, Path]) -> None:
    with report_files["csv"].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12
    assert rows[0]["sla_state"] == "breached"
    assert rows[0]["amount"] == "3600.00"
    assert {r["status"] for r in rows} == {"pending", "not submitted", "rejected", "approved"}


def test_report_html_file_is_self_contained(report_files: dict[str, Path]) -> None:
    html = report_files["html"].read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<style>" in html and "</html>" in html
    for external in ("<link", "src=", "url(", "@import"):
        assert external not in html
    assert "Bolt &amp; &lt;Sons&gt; Ltd" in html      # escaped, not markup
    assert "<Sons>" not in html
    assert html.count("D-2026-0042") >= 4 and "breached" in html


def test_report_pdf_file(report_files: dict[str, Path]) -> None:
    from pypdf import PdfReader

    reader = PdfReader(report_files["pdf"])
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Exception report" in text
    for needle in ("D-2026-0042", "D-2026-0043", "D-2026-0044", "€3,600.00", "breached",
                   "not submitted", "no consultant free", "Page 1 of"):
        assert needle in text, needle


def test_report_pdf_is_reproducible(ws_path: Path, deals: dict[str, Path],
                                    tmp_path: Path) -> None:
    paths = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    for p in paths:
        res = CliRunner().invoke(cli, ["-w", str(ws_path), "report", str(deals["D-2026-0042"]),
                                       "-o", str(p), "--now", "2026-11-22T09:00:00Z"])
        assert res.exit_code == 0, res.output
    assert paths[0].read_bytes() == paths[1].read_bytes()


@pytest.mark.parametrize("args", [["-o", "r.txt"], ["-o", "r.json", "--now", "yesterday"]])
def test_report_bad_arguments_exit_2(ws_path: Path, deals: dict[str, Path], tmp_path: Path,
                                     args: list[str]) -> None:
    args = [str(tmp_path / a) if a.startswith("r.") else a for a in args]
    res = CliRunner().invoke(cli, ["-w", str(ws_path), "report", str(deals["D-2026-0042"]),
                                   *args])
    assert res.exit_code == 2, res.output


# -- the whole story (issue 15): paperwork, people, amounts, history across edits ----------------

def test_report_lists_errors_that_block_the_po_and_who_fixes_them(
        ws: Workspace, write_deal: Callable[..., Path]) -> None:
    # given: the sample deal whose paperwork is missing (no MNDA, no credit application ...)
    path = write_deal(example_data("D-2026-0077"))
    result = raw(ws, path)
    errors = [f for f in result.blockers("po") if f.severity.value == "error"]
    assert errors

    rep = build_report([result], None, calendar(ws), T0)

    to_fix = [r for r in rep.rows if r.status == "to fix"]
    assert {(r.code, r.where) for r in to_fix} == {(f.code, f.where) for f in errors}
    assert all(r.can_act == ("riley.jones@brightfield.example",) for r in to_fix)
    # the whole PO waits: counted once, not once per missing document
    assert {c: str(m.amount) for c, m in rep.at_stake.items()} == {
        "GBP": str(result.priced.totals.total_due.amount)}
    assert rep.by_status["to fix"] == len(errors) and len(rep.open_rows) == len(rep.rows)


def test_report_names_the_people_who_can_approve(ws: Workspace, store: Any,
                                                 populated: dict[str, DealResult]) -> None:
    rep = build_report(list(populated.values()), store, calendar(ws), T0 + timedelta(hours=50))
    first = rep.rows[0]                   # PRC001 lines[0]: sales manager approved, finance not
    assert first.waiting_for == ("finance",) and first.can_act == ("cfo@brightfield.example",)
    cs_rows = [r for r in rep.rows if r.status == "not submitted" and r.approvers == ("cs",)]
    assert cs_rows and all(r.can_act == ("cs.lead@brightfield.example",
                                         "cs.deputy@brightfield.example") for r in cs_rows)
    assert all(r.can_act == () for r in rep.rows if r.status in ("approved", "rejected"))
    # open exceptions of three EUR deals, each deal once
    open_eur = sum((r.amount.amount for r in rep.open_rows if r.amount), start=0)
    assert {c: m.amount for c, m in rep.at_stake.items()} == {"EUR": open_eur}


def test_a_breached_request_survives_an_edit_of_its_line(
        ws: Workspace, store: Any, write_deal: Callable[..., Path]) -> None:
    # given: a request breached by T0 + 50 h ...
    data = example_data("D-2026-0042")
    path = write_deal(data, name="deal.yaml")
    submit(store, raw(ws, path), by="sam", now=T0)
    # ... and then the seller edits the discounted line (12 -> 13 licences) at T0 + 60 h
    data["lines"][0]["quantity"] = 13
    path = write_deal(data, name="deal.yaml")
    edited = raw(ws, path)
    submit(store, edited, by="sam", now=T0 + timedelta(hours=60))

    rep = build_report([edited], store, calendar(ws), T0 + timedelta(hours=61))

    rows = {(r.code, r.where, r.status): r for r in rep.rows}
    old = rows[("PRC001", "lines[0]", "line changed")]
    assert old.sla.value == "missed"            # breached at 48 h, the line changed at 60 h
    assert old.requested_at == T0 and old.closed_at == T0 + timedelta(hours=60)
    assert str(old.amount) == "3600.00 EUR"     # what was at stake then (25 % of 12 licences)
    assert old.can_act == () and old not in rep.open_rows
    new = rows[("PRC001", "lines[0]", "pending")]
    assert new.requested_at == T0 + timedelta(hours=60) and new.sla.value == "on time"
    assert new.amount is not None and new.amount.amount > old.amount.amount


def test_report_prints_to_the_terminal_without_a_file(ws_path: Path,
                                                      deals: dict[str, Path]) -> None:
    before = sorted(p for p in ws_path.rglob("*") if p.is_file())
    res = CliRunner().invoke(cli, ["-w", str(ws_path), "report", str(deals["D-2026-0042"]),
                                   "--now", "2026-11-30T12:00:00Z"])
    assert res.exit_code == 0, res.output
    assert "D-2026-0042" in res.output and "cs.lead@brightfield.example" in res.output
    assert "business hours" in res.output
    assert res.output.rstrip().splitlines()[-1].startswith("4 exception(s): 4 not submitted")
    assert "open at stake: €13,800.00" in res.output
    assert sorted(p for p in ws_path.rglob("*") if p.is_file()) == before  # no file written

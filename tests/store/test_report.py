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
from docgen.validate import DealResult
from docgen.workspace import Workspace
from tests.conftest import example_data
from tests.store.conftest import person

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CS = "cs.lead@brightfield.example"


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
    rep = build_report(list(populated.values()), store, ws.policy.exceptions,
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
    assert rep.by_status == {"pending": 6, "not submitted": 4, "rejected": 1, "approved": 1}
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
    rep = build_report([populated["D-2026-0043"]], store, ws.policy.exceptions,
                       T0 + timedelta(hours=40 + hours))
    assert {r.sla.value for r in rep.rows} == {state}


def test_report_as_of_a_past_moment(ws: Workspace, store: Any,
                                    populated: dict[str, DealResult]) -> None:
    # when: before 0043 was submitted and before 0042's rejection
    rep = build_report(list(populated.values()), store, ws.policy.exceptions,
                       T0 + timedelta(hours=30))

    # then
    assert rep.by_status == {"pending": 3, "not submitted": 8, "rejected": 0, "approved": 1}
    assert all(r.age is None or r.age >= timedelta(0) for r in rep.rows)


def test_report_without_database_lists_everything_not_submitted(
        ws: Workspace, deals: dict[str, Path]) -> None:
    rep = build_report([raw(ws, deals["D-2026-0042"])], None, ws.policy.exceptions, T0)
    assert {r.status for r in rep.rows} == {"not submitted"}
    assert len(rep.rows) == 4


def test_report_csv_is_spreadsheet_safe(ws: Workspace, store: Any,
                                        populated: dict[str, DealResult]) -> None:
    # when
    data = report_csv(build_report(list(populated.values()), store, ws.policy.exceptions, T0))

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
                                       "-o", str(path), "--now", "2026-11-22T13:00:00+02:00"])
        assert res.exit_code == 0, res.output
        out[fmt] = path
    return out


def test_report_json_file(report_files: dict[str, Path]) -> None:
    data = json.loads(report_files["json"].read_text("utf-8"))
    assert data["now"] == "2026-11-22T11:00:00+00:00"  # T0 + 50 h
    assert data["summary"]["total"] == 12 == len(data["exceptions"])
    assert sum(data["summary"]["by_status"].values()) == 12
    assert sum(data["summary"]["by_sla_state"].values()) == 12
    first = data["exceptions"][0]
    assert (first["deal"], first["sla_state"], first["amount"], first["currency"]) == (
        "D-2026-0042", "breached", "3600.00", "EUR")
    assert first["amount_at_stake"] == "€3,600.00"
    assert first["age_hours"] == "50.0"


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

"""CS pages (issue 13 item 4): the inbox of pending approvals across deals, for a role, most
urgent first; the exception report with filters and its exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from docgen import api
from tests.web.conftest import csrf_of, set_password, sign_in


def _submit(ws: Path, token: str, deal: str, hours_ago: float) -> None:
    with api.Session(ws, token=token) as s:
        s.submit([next((ws / "examples" / "deals").glob(f"{deal}*.yaml"))],
                 now=datetime.now(UTC) - timedelta(hours=hours_ago))


def test_inbox_lists_pending_approvals_for_a_role(client: Any, web_ws: Path,
                                                  web_admin: str) -> None:
    _submit(web_ws, web_admin, "D-2026-0042", hours_ago=30 * 24)  # breached in business hours too
    page = client.get("/inbox", params={"role": "sales_manager"}).text
    rows = re.findall(r'<tr class="sla-[^"]+">.*?</tr>', page, re.S)
    assert len(rows) == 2 and all("D-2026-0042" in r for r in rows)
    assert "breached" in rows[0]
    # the administrator holds no role: nothing is theirs to decide
    assert "not yours" in rows[0] and "Your roles: none" in page
    finance = client.get("/inbox", params={"role": "finance"}).text
    finance_rows = re.findall(r'<tr class="sla-[^"]+">.*?</tr>', finance, re.S)
    assert len(finance_rows) == 2 and all("PRC001" in r for r in finance_rows)
    assert all("cfo@brightfield.example" in r for r in finance_rows)
    cs_rows = re.findall(r'<tr class="sla-[^"]+">.*?</tr>', client.get(
        "/inbox", params={"role": "cs"}).text, re.S)
    # CAT002 and CAT007 need CS alone; the 100 % discount of lines[1] needs CS among others
    assert sorted(re.search(r'class="code">(\w+)</span> <span class="where">([^<]+)', r).groups()
                  for r in cs_rows) == [("CAT002", "lines[3]"), ("CAT007", "lines[4]"),
                                        ("PRC001", "lines[1]")]


def test_inbox_is_empty_before_anything_is_submitted(client: Any) -> None:
    assert "Nothing waits for" in client.get("/inbox", params={"role": "cs"}).text


def test_report_page_filters_and_exports(client: Any, web_ws: Path, web_admin: str) -> None:
    _submit(web_ws, web_admin, "D-2026-0042", hours_ago=1)
    page = client.get("/report", params={"status": "to fix"}).text
    assert "D-2026-0077" in page and "CHK002" in page and "PRC001" not in page
    exported = client.get("/report.csv")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert {r["status"] for r in rows} >= {"pending", "to fix"}
    assert client.get("/report.pdf").content.startswith(b"%PDF")
    assert client.get("/report.json").json()["summary"]["total"] == len(rows)
    assert client.get("/report.xlsx").status_code == 400


def test_cs_approves_from_the_inbox_in_one_step(anonymous: Any, web_ws: Path,
                                               web_admin: str) -> None:
    # given: CS lead with a password, and a deal whose CS exceptions were submitted
    cs = "cs.lead@brightfield.example"
    with api.Session(web_ws, token=web_admin) as s:
        s.add_user(cs, name="CS lead", admin=False)
    set_password(web_ws, web_admin, cs)
    _submit(web_ws, web_admin, "D-2026-0042", hours_ago=2)
    assert sign_in(anonymous, cs).status_code == 303
    page = anonymous.get("/inbox").text
    assert "Your roles: cs" in page
    rows = re.findall(r'<tr class="sla-[^"]+">.*?</tr>', page, re.S)
    assert len(rows) == 3               # CAT002, CAT007 and the 100 % discount also need CS
    cat002 = next(r for r in rows if "CAT002" in r)
    csrf = re.search(r'name="csrf" value="([^"]+)"', cat002).group(1)

    # when: approve in one step
    r = anonymous.post("/inbox/decide", data={
        "csrf": csrf, "deal": "D-2026-0042", "code": "CAT002", "where": "lines[3]",
        "role": "cs", "decision": "approve", "note": "migration effort checked"},
        follow_redirects=True)

    # then: recorded as the signed-in person, gone from the inbox
    assert r.status_code == 200 and "Recorded your decision on CAT002." in r.text
    rows_after = re.findall(r'<tr class="sla-[^"]+">.*?</tr>', r.text, re.S)
    assert len(rows_after) == 2 and not any("CAT002" in row for row in rows_after)
    with api.Session(web_ws) as s:
        _, entries = s.approval_history("D-2026-0042")
    approvals = [e for e in entries if e.event == "approved"]
    assert [(e.code, e.who, e.role, e.note) for e in approvals] == [
        ("CAT002", cs, "cs", "migration effort checked")]


def test_a_decision_without_the_role_is_refused_and_not_recorded(client: Any, web_ws: Path,
                                                                web_admin: str) -> None:
    _submit(web_ws, web_admin, "D-2026-0042", hours_ago=2)
    r = client.post("/inbox/decide", data={
        "csrf": csrf_of(client), "deal": "D-2026-0042", "code": "CAT002", "where": "lines[3]",
        "role": "cs", "decision": "approve"})
    assert r.status_code == 400
    with api.Session(web_ws) as s:
        _, entries = s.approval_history("D-2026-0042")
    assert [e.event for e in entries] and all(e.event == "requested" for e in entries)

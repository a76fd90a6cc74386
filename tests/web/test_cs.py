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


def _submit(ws: Path, token: str, deal: str, hours_ago: float) -> None:
    with api.Session(ws, token=token) as s:
        s.submit([next((ws / "examples" / "deals").glob(f"{deal}*.yaml"))],
                 now=datetime.now(UTC) - timedelta(hours=hours_ago))


def test_inbox_lists_pending_approvals_for_a_role(client: Any, web_ws: Path,
                                                  web_admin: str) -> None:
    _submit(web_ws, web_admin, "D-2026-0042", hours_ago=30 * 24)  # breached in business hours too
    page = client.get("/inbox").text
    rows = re.findall(r'<tr class="sla-[^"]+">.*?</tr>', page, re.S)
    assert len(rows) == 4 and all("D-2026-0042" in r for r in rows)
    assert "breached" in rows[0]
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
    assert "Nothing waits for anyone." in client.get("/inbox").text


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

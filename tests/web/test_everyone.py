"""Pages for everyone (issue 13 item 6): the audit log, a deal's history, catalogue and policy
versions with their diffs."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from docgen import api


def _submit(ws: Path, token: str) -> None:
    with api.Session(ws, token=token) as s:
        s.submit([next((ws / "examples" / "deals").glob("D-2026-0042*.yaml"))])


def test_audit_log_lists_who_did_what_and_says_the_chain_holds(client: Any, web_ws: Path,
                                                               web_admin: str) -> None:
    _submit(web_ws, web_admin)
    page = client.get("/audit").text
    assert "the HMAC chain holds" in page
    assert "admin@acme.example" in page and ">request<" in page
    only = client.get("/audit", params={"deal": "D-2026-0042"}).text
    rows = re.findall(r"<tr><td class=\"num\">\d+</td>.*?</tr>", only, re.S)
    assert rows and all("D-2026-0042" in r for r in rows)


def test_audit_log_shows_an_edited_row(client: Any, web_ws: Path, web_admin: str) -> None:
    _submit(web_ws, web_admin)
    db = sqlite3.connect(web_ws / ".docgen" / "docgen.db")
    db.execute("UPDATE audit_log SET actor = 'mallory@evil.example' WHERE seq = 1")
    db.commit()
    db.close()
    page = client.get("/audit").text
    assert "The chain does not hold" in page and 'role="alert"' in page


def test_deal_history_page(client: Any, web_ws: Path, web_admin: str) -> None:
    _submit(web_ws, web_admin)
    page = client.get("/deals/D-2026-0042/history").text
    events = re.findall(r'<td class="code">(\w+)</td>', page)
    assert "revision" in events and events.count("requested") == 4


def test_versions_page_lists_recorded_versions_and_a_diff(client: Any, web_ws: Path,
                                                         web_admin: str) -> None:
    page = client.get("/versions").text
    assert re.search(r'<td class="code">2026\.12</td>', page)        # recorded by init
    # a reviewed change, locked as a new version
    cat = web_ws / "skus" / "catalogue.yaml"
    text = cat.read_text("utf-8").replace("name: Premium support", "name: Premium support plus", 1)
    cat.write_text(text.replace('version: "2026.12"', 'version: "2027.01"', 1), "utf-8")
    with api.Session(web_ws, locked=False, token=web_admin) as s:
        s.lock_catalogue()
    page = client.get("/versions").text
    assert re.search(r'<td class="code">2027\.01</td>.*?<td>admin@acme\.example</td>', page,
                     re.S)
    diff = client.get("/versions", params={"kind": "catalogue", "before": "2026.12",
                                           "after": "2027.01"}).text
    assert "SUP-PREM name" in diff, diff[-800:]
    assert re.search(r"Catalogue 2026\.12 → 2027\.01: \d+ change\(s\)", diff)

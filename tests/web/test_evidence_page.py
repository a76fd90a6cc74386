"""The deal editor shows the evidence recorded with ``docgen evidence add`` (issue 15), read-only
beside the deal file's own evidence."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from docgen import api


def test_editor_shows_recorded_evidence_read_only(client: Any, web_ws: Path, web_admin: str,
                                                 tmp_path: Path) -> None:
    # given: the credit application of D-2026-0077 received, with its file
    scan = tmp_path / "credit-application.pdf"
    scan.write_bytes(b"%PDF-1.7 scanned\n")
    with api.Session(web_ws, token=web_admin) as s:
        rec = s.add_evidence("D-2026-0077", "credit_application", scan,
                             on=date(2026, 11, 2)).record
    # when
    page = client.get("/deals/D-2026-0077").text
    # then: beside the item, what was recorded, by whom, with the file's name and hash
    table = re.search(r'<table class="evidence"[^>]*>.*?</table>', page, re.S).group(0)
    row = re.search(r'<tr class="recorded-evidence">.*?</tr>', table, re.S).group(0)
    assert "<strong>received</strong> 2026-11-02 by admin@acme.example" in row
    assert f"credit-application.pdf (SHA-256 {(rec.file_sha256 or '')[:12]})" in row
    assert "<input" not in row                      # read-only: nothing to post
    # and it counts: the editor's findings no longer ask for it
    assert "credit_application&#39; has no evidence" not in page
    assert "billing_details&#39; has no evidence" in page

"""The whole path through the real store, as a user runs it: ``docgen po`` issues and records a
final PO, ``docgen verify`` exits 0 on it, 1 on an edited copy, 2 on a file docgen did not make."""

from __future__ import annotations

import pytest

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import assert_no_traceback

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out

Run = Callable[..., subprocess.CompletedProcess[str]]


def test_cli_issue_then_verify(run_cli: Run, ws_path: Path, tmp_path: Path, tools: Any,
                               admin_token: str) -> None:
    # given: a final PO issued through the store
    deal = next((ws_path / "examples" / "deals").glob("D-2026-0101*.yaml"))
    out = tmp_path / "out"
    issued = run_cli("po", deal, "-o", out, "--date", "2026-11-22", "--format", "pdf",
                     token=admin_token)
    assert issued.returncode == 0, issued.stderr
    pdf = out / "D-2026-0101-po-PO-2026-000001.pdf"
    # when
    ok = run_cli("verify", pdf)
    # then
    assert_no_traceback(ok)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "PO-2026-000001 (deal D-2026-0101): verified" in ok.stdout
    for check in ("registry", "signature", "pricing", "Order-X", "PDF/A-3b", "printed figures",
                  "printed text"):
        assert f"ok   {check}:" in ok.stdout

    # given: a copy whose embedded JSON raises a discount
    def edit(blob: bytes) -> bytes:
        data = json.loads(blob)
        data["deal_file"]["lines"][0]["discount_pct"] = "50"
        return json.dumps(data).encode()

    forged = tools.rewrite_attachment(pdf, "docgen-po.json", edit, tmp_path / "forged.pdf")
    # when
    bad = run_cli("verify", forged)
    # then: exit 1, each difference named
    assert_no_traceback(bad)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "MISMATCH" in bad.stdout
    assert "FAIL registry:" in bad.stdout and "not the issued file" in bad.stdout
    assert "lines[0].discount_pct_entered" not in bad.stdout  # not a field of the data
    assert "fingerprint: embedded" in bad.stdout
    assert "verification failed" in bad.stderr

    # given: something docgen never made
    junk = tmp_path / "junk.pdf"
    junk.write_text("not a pdf at all")
    # when
    refused = run_cli("verify", junk)
    # then
    assert_no_traceback(refused)
    assert refused.returncode == 2
    assert "not a PDF" in refused.stderr

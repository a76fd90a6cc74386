"""The benchmarks (``make bench``) still run: every SPEC §7 figure, at ``--quick`` size.

No timing is asserted here, ever: the figures depend on the machine and its load. What is checked is
that each benchmark runs to the end and reports a number beside its target, so that an API change in
docgen cannot silently break ``make bench``.
"""

from __future__ import annotations

import pytest

import json
import math
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out

FIGURES = ("one_page", "po_process", "long_po", "batch", "queue_batch", "validate_cold",
           "validate_rate", "memory", "web_validate", "web_preview", "scale")
#: Figures that need PostgreSQL: reported as skipped, with the reason, where it is not installed.
NEED_POSTGRES = ("queue_batch", "scale")


def test_benchmarks_quick_run_reports_every_figure(tmp_path: Path) -> None:
    # given
    out = tmp_path / "bench.json"
    # when
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    # then
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text("utf-8"))
    assert report["errors"] == []
    skipped = {s["name"]: s["reason"] for s in report["skipped"]}
    assert set(skipped) <= set(NEED_POSTGRES), skipped
    assert all("PostgreSQL" in why for why in skipped.values()), skipped
    assert [f["name"] for f in report["figures"]] == [n for n in FIGURES if n not in skipped]
    for fig in report["figures"]:
        assert math.isfinite(fig["value"]) and fig["value"] > 0, fig
        assert fig["target"] > 0, fig
    cold = next(f for f in report["figures"] if f["name"] == "validate_cold")
    assert "renderers and database imported: none" in cold["details"], cold["details"]
    for name in FIGURES:
        assert f"[{name}]" in proc.stdout
    assert "PASS" in proc.stdout or "FAIL" in proc.stdout


def test_benchmarks_web_figures_run_a_signed_in_load_on_the_loopback(tmp_path: Path) -> None:
    # given: the two web figures alone, at --quick size (3 people, 1 round)
    out = tmp_path / "bench.json"
    # when
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--only",
                           "web_validate,web_preview", "--json", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=600, check=False)
    # then: both ran one load (every answer was checked by the load generator: a refused
    # sign-in, a 403 or a page without the pricing panel is an error, exit 2)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text("utf-8"))
    assert report["errors"] == []
    figs = {f["name"]: f for f in report["figures"]}
    assert list(figs) == ["web_validate", "web_preview"]
    assert figs["web_validate"]["unit"] == "ms" and figs["web_validate"]["target"] == 50
    assert figs["web_preview"]["target"] == 250
    details = "\n".join(figs["web_validate"]["details"])
    assert "12 validations and 3 previews" in details, details
    assert "`docgen serve --workers 2`" in details
    assert "saturated" in details
    assert "the same run as web_validate" in figs["web_preview"]["details"][1]
    assert "web live validation, 3 users, 2 workers: p95" in proc.stdout


def test_benchmarks_only_rejects_an_unknown_figure() -> None:
    # when
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "nope"], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)
    # then
    assert proc.returncode == 2
    assert "unknown figure" in proc.stderr

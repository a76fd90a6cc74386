"""The built wheel carries the sample workspace, so `docgen` works outside a checkout."""

from __future__ import annotations

import pytest

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out


def test_wheel_ships_the_sample_workspace_and_runs_from_it(tmp_path: Path) -> None:
    # given a wheel built from this checkout (by the build backend itself: the environment uv
    # makes has no pip)
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel",
                    "-d", str(tmp_path / "dist")],
                   cwd=REPO, check=True, capture_output=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("docgen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("docgen/_sample/skus/catalogue.yaml", "docgen/_sample/skus/catalogue.lock",
                   "docgen/_sample/skus/policy.yaml", "docgen/_sample/templates/html/po.html",
                   "docgen/_sample/templates/docx/po.docx", "docgen/cli/__init__.py",
                   "docgen/py.typed"):
        assert needed in names, needed
    # when its package runs from an unpacked copy, far from the checkout
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    deal = tmp_path / "deal.yaml"
    deal.write_bytes((REPO / "examples" / "deals" / "D-2026-0101-clean.yaml").read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    env["PYTHONPATH"] = str(site)
    proc = subprocess.run([sys.executable, "-m", "docgen", "catalogue", "verify"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    # then it finds the bundled sample workspace inside the package
    assert proc.returncode == 0, proc.stderr
    assert "matches its lock" in proc.stdout
    proc = subprocess.run([sys.executable, "-c",
                           "import docgen.workspace as w; print(w.sample_root())"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == str(site / "docgen" / "_sample")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "docgen", "po", str(deal), "-o", str(out),
                           "--draft", "--date", "2026-11-22", "--format", "pdf,docx"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert (out / "D-2026-0101-po-draft.pdf").stat().st_size > 0

"""Fixtures of the document tests: one shared workspace (with INR prices for en_IN), rendering in
process, and LibreOffice with a private profile per test worker."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from docgen.workspace import Workspace
from tests.conftest import copy_sample

#: Rupee list prices added to the shared workspace's catalogue, so that an en_IN deal can be
#: priced in INR (the sample catalogue has none).
INR_PRICES = {
    "LIC-ANL-PRO": "110000.00", "LIC-ANL-ENT": "265000.00", "LIC-SEAT-ADD": "2250.00",
    "LIC-VIEWER": "1350.00",
    "LIC-BI-LEGACY": "73000.00", "SVC-WS-REMOTE": "215000.00", "SVC-AUDIT-SEC": "585000.00",
    "TRN-ADMIN": "85000.00", "SVC-ONSITE-DAY": "148500.00", "MSV-OPS": "279000.00",
    "SUP-STD": "13500.00", "SUP-PREM": "40500.00", "USG-PV-1M": "27000.00",
    "SVC-ONSITE-NA": "351000.00", "PACK-STARTER": "261000.00",
}


def add_inr(root: Path) -> None:
    """Give every SKU of the workspace at `root` an INR price, then re-lock the catalogue."""
    from docgen.catalogue import lock_catalogue

    path = root / "skus" / "catalogue.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["catalogue"]["currencies"].append("INR")
    # changed content needs a new version label to be locked (SPEC §2.2)
    data["catalogue"]["version"] = f"{data['catalogue']['version']}-inr"
    for sku in data["skus"]:
        sku["list_price"]["INR"] = INR_PRICES[sku["code"]]
        if sku.get("overage"):
            sku["overage"]["price"]["INR"] = "2200.00"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    lock_catalogue(Workspace(root).catalogue, root / "skus" / "catalogue.lock")


@pytest.fixture(scope="session")
def doc_ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample workspace shared by tests that only render drafts from it (the
    renderers are cached per templates folder, so sharing it saves their set-up per test)."""
    root = copy_sample(tmp_path_factory.mktemp("docs-ws"))
    add_inr(root)
    return root


@pytest.fixture(scope="session")
def doc_ws(doc_ws_path: Path) -> Workspace:
    """The shared workspace, loaded and lock-checked."""
    from docgen import api

    with api.Session(doc_ws_path) as s:
        return s.workspace


@pytest.fixture(scope="session")
def soffice(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., list[Path]]:
    """Convert DOCX files to PDF with LibreOffice headless (one process for the batch).

    Returns the PDFs' paths, checking each exists. Each test worker has its own LibreOffice
    profile: two conversions sharing the default profile make one of them fail without output
    (LIBRARIES.md §2).
    """
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed: run scripts/setup-system.sh")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    profile = tmp_path_factory.mktemp(f"lo-profile-{worker}")

    def convert(docx_files: list[Path], out_dir: Path) -> list[Path]:
        out_dir.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [exe, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
             "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, docx_files)],
            capture_output=True, text=True, timeout=60 + 30 * len(docx_files), check=False)
        pdfs = [out_dir / (f.stem + ".pdf") for f in docx_files]
        missing = [p.name for p in pdfs if not p.is_file() or p.stat().st_size == 0]
        assert proc.returncode == 0 and not missing, (
            f"LibreOffice did not convert {missing}: exit {proc.returncode}\n"
            f"{proc.stdout}\n{proc.stderr}")
        return pdfs

    return convert

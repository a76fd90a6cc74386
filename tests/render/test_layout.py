"""Layout that holds in every language: nothing past the margin, codes never broken, the French
PO on one page and verifiable, a logo from the workspace, final DOCX protected and schema-valid."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from docgen.verify import verify_file
from docgen.workspace import Workspace
from tests.conftest import example
from tests.docs import pdf_text, render_document
from tests.render._helpers import MATRIX, locale_deal
from tests.render.test_docx_schema import audit_problems

pytestmark = pytest.mark.slow  # renders every locale

A4_WIDTH_PT = 595.28
RIGHT_MARGIN_PT = 14 / 25.4 * 72
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _words(pdf: Path) -> list[tuple[str, float, float]]:
    """(word, xMin, xMax) of every word on every page, from poppler's bounding boxes."""
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("poppler-utils (pdftotext) is not installed: run scripts/setup-system.sh")
    html = subprocess.run([exe, "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    return [(m.group(3), float(m.group(1)), float(m.group(2))) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        html)]


@pytest.mark.parametrize(("locale", "currency", "territory"), MATRIX)
@pytest.mark.parametrize("kind", ["po", "contract"])
def test_nothing_runs_past_the_right_margin(doc_ws: Workspace, write_deal: Callable[..., Path],
                                            tmp_path: Path, locale: str, currency: str,
                                            territory: str, kind: str) -> None:
    # given: the richest deal in each locale
    path = write_deal(locale_deal(locale, currency, territory))
    # when
    out = render_document(doc_ws, path, kind, tmp_path)
    # then: no word ends in the right margin (the watermark is rotated text: left out)
    limit = A4_WIDTH_PT - RIGHT_MARGIN_PT + 1
    past = [(w, x1) for w, _x0, x1 in _words(out.pdf) if x1 > limit and len(w) > 1]
    assert not past, past


def test_french_po_holds_on_one_page_and_verifies(doc_ws: Workspace, tmp_path: Path) -> None:
    # given: the French four-line deal, as a final PO
    out = render_document(doc_ws, example("D-2026-0105"), "po", tmp_path,
                          number="PO-2026-000105")
    # then: one page, every code whole, every printed figure found again
    assert len(PdfReader(out.pdf).pages) == 1
    text = pdf_text(out.pdf)
    for code in ("LIC-ANL-PRO", "LIC-SEAT-ADD", "SUP-STD", "TRN-ADMIN"):
        assert code in text
    report = verify_file(doc_ws, out.pdf, None)
    printed = next(c for c in report.checks if c.name == "printed figures")
    assert printed.mismatches == ()


def test_logo_from_the_workspace(ws_path: Path, tmp_path: Path) -> None:
    # given: a logo in the workspace's templates
    from PIL import Image

    assets = ws_path / "templates" / "assets"
    assets.mkdir()
    Image.new("RGB", (120, 40), (20, 90, 160)).save(assets / "logo.png")
    # when
    out = render_document(ws_path, example("D-2026-0101"), "po", tmp_path)
    # then: the first page draws it
    page = PdfReader(out.pdf).pages[0]
    assert len(page.images) == 1


def _settings(docx: Path) -> etree._Element:
    with zipfile.ZipFile(docx) as z:
        return etree.fromstring(z.read("word/settings.xml"))


def test_final_docx_is_read_only_and_valid(doc_ws: Workspace, tmp_path: Path) -> None:
    # given / when: a final PO and a draft, as DOCX
    final = render_document(doc_ws, example("D-2026-0101"), "po", tmp_path / "final",
                            formats=("docx",), number="PO-2026-000101").paths["docx"]
    draft = render_document(doc_ws, example("D-2026-0101"), "po", tmp_path / "draft",
                            formats=("docx",)).paths["docx"]
    # then: the final one is protected against editing, in the schema's order
    prot = _settings(final).findall(f"{{{W}}}documentProtection")
    assert len(prot) == 1
    assert prot[0].get(f"{{{W}}}edit") == "readOnly"
    assert prot[0].get(f"{{{W}}}enforcement") == "1"
    assert audit_problems(final) == []
    assert _settings(draft).findall(f"{{{W}}}documentProtection") == []

"""The DOCX templates and the documents rendered from them stay valid WordprocessingML.

Word refuses (or "repairs") what LibreOffice opens without a word, so these tests read the XML
itself: no properties element holds a child twice (python-docx's ``autofit = False`` plus a
hand-made ``w:tblLayout`` once gave every table two), table properties are in the schema's
order, and the layout the PDF has is there too (portrait pages, a header row that repeats,
totals that stay together, no empty "VAT ID:"). When openxml-audit (a port of the Open XML SDK
validator) is installed, it checks every file as well.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree

from docgen.workspace import Workspace, sample_root
from tests.conftest import EXAMPLES, assert_no_traceback, example_data
from tests.render._helpers import docx_text, render

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEMPLATES = sorted((sample_root() / "templates" / "docx").glob("*.docx"))
#: Properties elements whose children may each appear once (ECMA-376 sequences of 0..1 items).
SINGLE_CHILDREN = ("tblPr", "tcPr", "pPr", "rPr")
#: The children of w:tblPr in schema order (ECMA-376 Part 1, CT_TblPr).
TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
               "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
               "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
               "tblPrChange")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def word_parts(path: Path) -> Iterator[tuple[str, etree._Element]]:
    """(part name, root element) of every XML part under ``word/``."""
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if name.startswith("word/") and name.endswith(".xml"):
                yield name, etree.fromstring(z.read(name))


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def schema_problems(path: Path) -> list[str]:
    """Every properties element with a repeated child, and every w:tblPr out of schema order."""
    out = []
    for part, root in word_parts(path):
        tree = root.getroottree()
        for name in SINGLE_CHILDREN:
            for el in root.iter(_w(name)):
                tags = [_local(c) for c in el if isinstance(c.tag, str)]
                twice = sorted({t for t in tags if tags.count(t) > 1})
                if twice:
                    out.append(f"{path.name} {part} {tree.getpath(el)}: {twice} more than once")
        for el in root.iter(_w("tblPr")):
            tags = [_local(c) for c in el if isinstance(c.tag, str)]
            known = [t for t in tags if t in TBLPR_ORDER]
            if known != sorted(known, key=TBLPR_ORDER.index):
                out.append(f"{path.name} {part} {tree.getpath(el)}: children {tags} out of order")
    return out


def audit_problems(path: Path) -> list[str]:
    """openxml-audit's errors for `path` (the test is skipped when it is not installed)."""
    audit = pytest.importorskip("openxml_audit")
    result = audit.OpenXmlValidator().validate(str(path))
    return [f"{path.name}: {e}" for e in result.errors]


# -- the templates --------------------------------------------------------------------------------

@pytest.mark.parametrize("template", TEMPLATES, ids=[t.stem for t in TEMPLATES])
def test_docx_template_has_no_duplicate_properties(template: Path) -> None:
    # given: a template as the builder script wrote it (or legal saved it)
    # then
    assert schema_problems(template) == []


def test_schema_check_finds_a_doubled_table_layout(tmp_path: Path) -> None:
    # given: a template whose first table has a second w:tblLayout, as the builder once wrote
    src = TEMPLATES[0]
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                tbl_pr = next(root.iter(_w("tblPr")))
                layout = etree.SubElement(tbl_pr, _w("tblLayout"))
                layout.set(_w("type"), "fixed")
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
            zout.writestr(item, data)
    # then
    problems = schema_problems(bad)
    assert any("['tblLayout'] more than once" in p for p in problems), problems


def _section_is_portrait(root: etree._Element) -> bool:
    size = next(root.iter(_w("pgSz")))
    return int(size.get(_w("w"))) < int(size.get(_w("h"))) \
        and size.get(_w("orient")) in (None, "portrait")


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.stem for t in TEMPLATES])
def test_docx_template_layout_is_the_pdfs(template: Path) -> None:
    # given
    root = dict(word_parts(template))["word/document.xml"]
    tables = list(root.iter(_w("tbl")))
    # then: portrait like the PDF
    assert _section_is_portrait(root)
    # and every table with a row loop repeats its header row and never splits a row
    for tbl in tables:
        rows = tbl.findall(_w("tr"))
        if not any("{%tr for" in "".join(r.itertext()) for r in rows):
            continue
        assert rows[0].find(f"{_w('trPr')}/{_w('tblHeader')}") is not None
        body = [r for r in rows if "{%tr" not in "".join(r.itertext())]
        assert all(r.find(f"{_w('trPr')}/{_w('cantSplit')}") is not None for r in body)


def test_po_template_keeps_the_totals_together() -> None:
    # given: the PO's totals table (the one printing the total due)
    po = next(t for t in TEMPLATES if t.stem == "po")
    root = dict(word_parts(po))["word/document.xml"]
    totals = next(t for t in root.iter(_w("tbl")) if "totals.total_due" in "".join(t.itertext()))
    rows = totals.findall(_w("tr"))
    # then: no row splits, and each row but the last keeps with the next
    assert all(r.find(f"{_w('trPr')}/{_w('cantSplit')}") is not None for r in rows)
    for row in rows[:-1]:
        paras = list(row.iter(_w("p")))
        assert all(p.find(f"{_w('pPr')}/{_w('keepNext')}") is not None for p in paras)


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.stem for t in TEMPLATES])
def test_docx_template_passes_openxml_audit(template: Path) -> None:
    # then
    assert audit_problems(template) == []


# -- rendered documents ---------------------------------------------------------------------------

@pytest.fixture
def rendered_docx(ws_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]],
                  tmp_path: Path) -> list[Path]:
    """Draft PO of every sample deal, SOW and onboarding form of the German and the French
    deal, rendered as DOCX by the CLI into a copy of the sample workspace."""
    deals = tmp_path / "deals"
    shutil.copytree(EXAMPLES, deals)
    out = tmp_path / "out"
    args = ("--draft", "--format", "docx", "--date", "2026-11-22", "-o", out)
    runs = [("po", *sorted(deals.glob("*.yaml")))]
    for name in ("D-2026-0042", "D-2026-0105"):
        path = next(deals.glob(f"{name}*.yaml"))
        runs += [("sow", path), ("onboarding", path)]
    for kind, *paths in runs:
        proc = run_cli(kind, *args, *paths)
        assert_no_traceback(proc)
        assert proc.returncode == 0, proc.stderr
    files = sorted(out.glob("*.docx"))
    assert len(files) == len(list(deals.glob("*.yaml"))) + 4
    return files


@pytest.mark.slow
def test_rendered_docx_have_no_duplicate_properties(rendered_docx: list[Path]) -> None:
    # then: what docxtpl made of the templates is as clean as they are
    problems = [p for path in rendered_docx for p in schema_problems(path)]
    assert problems == []


@pytest.mark.slow
def test_rendered_docx_pass_openxml_audit(rendered_docx: list[Path]) -> None:
    # then
    problems = [p for path in rendered_docx for p in audit_problems(path)]
    assert problems == []


@pytest.mark.parametrize("kind", ["po", "sow", "onboarding"])
def test_docx_leaves_out_an_empty_vat_id(doc_ws: Workspace, write_deal: Callable[..., Path],
                                         tmp_path: Path, kind: str) -> None:
    # given: a customer without a VAT ID or an invoice contact
    data = example_data("D-2026-0101")
    data["customer"].pop("vat_id", None)
    data["customer"].pop("invoice_contact", None)
    path = write_deal(data)
    # when
    text = docx_text(render(doc_ws, path, kind, tmp_path, formats=("docx",))["docx"])
    # then: no label printed without its value
    lines = [ln.strip() for ln in text.splitlines()]
    assert not [ln for ln in lines if ln.endswith(":")], lines
    assert "VAT ID: NL" in text  # the vendor's is still there

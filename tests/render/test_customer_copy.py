"""Customer copy and internal copy (SPEC §6): a quotation shows no internal controls, the internal
copy lists blockers and the approval trail in the document's language, and a final PO names an
approved exception by its reference only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from docgen import api
from docgen.approvals import ApprovalRecord
from docgen.render.documents import Renderer
from docgen.workspace import Workspace
from tests.conftest import example, example_data
from tests.docs import ISSUED, pdf_text, render_document
from tests.render._helpers import docx_text


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_quotation_shows_no_internal_controls(doc_ws: Workspace, tmp_path: Path) -> None:
    # given: the German deal with four open approvals (one beyond the SKU's maximum discount)
    deal = example("D-2026-0042")
    # when: the customer's draft, as PDF and DOCX
    out = render_document(doc_ws, deal, "po", tmp_path, formats=("pdf", "docx"))
    for text in (_flat(pdf_text(out.paths["pdf"])), _flat(docx_text(out.paths["docx"]))):
        # then: a quotation, watermarked, without rule codes, bands, approvers or roles
        assert "Angebot" in text
        assert "ANGEBOT" in text
        assert "Keine Bestellung" in text
        for internal in ("PRC001", "CAT002", "maximum", "Genehmigung", "sales_manager",
                         "cs.lead@", "Blockiert", "ENTWURF", "Entwurf"):
            assert internal not in text, internal


def test_internal_copy_lists_blockers_in_the_documents_language(doc_ws: Workspace,
                                                                tmp_path: Path) -> None:
    # given: the same German deal
    deal = example("D-2026-0042")
    # when: its internal copy, through the session as the CLI calls it
    with api.Session(doc_ws) as s:
        batch = s.render("po", [deal], out_dir=tmp_path, formats=("pdf", "docx"), draft=True,
                         issue_date=ISSUED, jobs=1, internal=True)
    (doc,) = batch.rendered
    # then: named as an internal copy, in German, with every blocker and who must approve it
    assert doc.paths["pdf"].name == "D-2026-0042-po-draft-internal.pdf"
    for text in (_flat(pdf_text(doc.paths["pdf"])), _flat(docx_text(doc.paths["docx"]))):
        assert "Interne Kopie: nicht für den Kunden" in text
        assert "INTERN" in text
        assert "PRC001 · Position 1 (LIC-ANL-PRO): Rabatt braucht Genehmigung" in text
        assert "CAT002 · Position 4: Leistung außerhalb des Katalogs braucht Genehmigung" in text
        assert "Vertriebsleitung, Finanzen" in text
        assert "Discount of" not in text  # the English finding message stays at the CLI


def test_header_is_not_doubled(doc_ws: Workspace, tmp_path: Path) -> None:
    # given: a German SOW draft
    out = render_document(doc_ws, example("D-2026-0042"), "sow", tmp_path)
    text = _flat(pdf_text(out.pdf))
    # then: the watermark word once per page, the notice without repeating it
    assert "ENTWURF" in text
    assert "Erst nach Ausstellung gültig" in text
    assert "ENTWURF Entwurf" not in text


def _approved(doc_ws: Workspace, tmp_path: Path, *, internal: bool) -> str:
    """The text of a final German PO whose licence line was approved by finance."""
    with api.Session(doc_ws) as s:
        (result,) = s.validate([example("D-2026-0042")])
        doc = s.document_input(result, "po", issue_date=ISSUED, number="PO-2026-000042",
                               internal=internal)
    record = ApprovalRecord(code="PRC001", role="finance", by="cfo@brightfield.example",
                            at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC), note="ok")
    other = replace(record, role="sales_manager", by="sales.manager@brightfield.example")
    doc = replace(doc, approvals={"lines[0]": (record, other)})
    blob = Renderer(doc_ws.templates_dir).render(doc, ("pdf",)).outputs["pdf"]
    path = tmp_path / ("internal.pdf" if internal else "customer.pdf")
    path.write_bytes(blob)
    return _flat(pdf_text(path))


def test_final_po_names_an_approved_exception_by_reference_only(doc_ws: Workspace,
                                                                 tmp_path: Path) -> None:
    # when: the customer's final PO
    text = _approved(doc_ws, tmp_path, internal=False)
    # then: one reference for the exception, no person, no role, no watermark
    assert text.count("Genehmigte Ausnahme EX-D-2026-0042-PRC001-L1") == 1
    for internal in ("cfo@", "sales.manager@", "finance", "Finanzen", "Genehmigt von",
                     "ANGEBOT", "INTERN"):
        assert internal not in text, internal


def test_internal_final_po_shows_the_approval_trail(doc_ws: Workspace, tmp_path: Path) -> None:
    # when: the internal copy of the same PO
    text = _approved(doc_ws, tmp_path, internal=True)
    # then: who approved, as which role (translated), when, under the same reference
    assert ("EX-D-2026-0042-PRC001-L1: Genehmigt von cfo@brightfield.example als Finanzen am "
            "20.11.2026") in text
    assert "als Vertriebsleitung" in text


def test_cli_internal_flag(run_cli: Callable[..., object], tmp_path: Path) -> None:
    # when: sow --internal of a deal whose final SOW is blocked
    out = tmp_path / "out"
    proc = run_cli("sow", example("D-2026-0042"), "-o", out, "--internal", "--date",
                   "2026-11-22", "--format", "pdf")
    # then: an internal copy is never refused and never the issued file
    assert proc.returncode == 0, proc.stderr  # type: ignore[attr-defined]
    assert [p.name for p in out.iterdir()] == ["D-2026-0042-sow-draft-internal.pdf"]
    assert "internal copy" in proc.stdout  # type: ignore[attr-defined]
    assert example_data("D-2026-0042")["deal"] == "D-2026-0042"


def _header_xml(docx: Path) -> str:
    import zipfile

    with zipfile.ZipFile(docx) as z:
        return "".join(z.read(n).decode() for n in z.namelist()
                       if n.startswith("word/header"))


def test_docx_quotation_carries_a_word_watermark(doc_ws: Workspace, tmp_path: Path) -> None:
    # when: the German quotation and a final PO, as DOCX
    draft = render_document(doc_ws, example("D-2026-0042"), "po", tmp_path / "d",
                            formats=("docx",)).paths["docx"]
    final = render_document(doc_ws, example("D-2026-0101"), "po", tmp_path / "f",
                            formats=("docx",), number="PO-2026-000101").paths["docx"]
    # then: Word's watermark shape prints the word behind every page of the quotation only
    assert 'string="ANGEBOT"' in _header_xml(draft)
    assert "<v:shape " not in _header_xml(final)

"""What the statement of work and the onboarding form show, and when docgen refuses them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from docgen import api
from docgen.render.context import OnboardingContext, SowContext
from docgen.workspace import Workspace
from tests.conftest import assert_no_traceback, example, example_data
from tests.docs import document_context, render_document
from tests.render._helpers import ISSUED, docx_text, pdf_text, render

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out


def _context(ws: Workspace, path: Path, kind: str) -> Any:
    return document_context(ws, path, kind, issue_date=ISSUED)


def test_sow_has_one_deliverable_per_service_including_bundled_ones(
        doc_ws: Workspace) -> None:
    # given: a new customer; the starter pack (workshop + training) is added automatically
    ctx = _context(doc_ws, example("D-2026-0110"), "sow")
    # then: licence, usage and support lines are not deliverables; the pack's services are
    assert isinstance(ctx, SowContext)
    d = ctx.sow.deliverables
    assert [x.code for x in d] == ["SVC-WS-REMOTE", "TRN-ADMIN"]
    assert all(x.part_of.startswith("Part of PACK-STARTER") for x in d)
    ws_sku = doc_ws.skus["SVC-WS-REMOTE"]
    assert d[0].description == ws_sku.description.strip()          # the locked text
    assert d[0].includes == ["Sessions included: 3, 2 h each"]
    assert d[0].use_by == "Use by Jun 30, 2027"                      # start + 180 days
    assert d[1].includes == ["Sessions included: 1, 4 h each"]
    assert d[1].use_by == "Use by Apr 1, 2027"                       # start + 90 days


def test_sow_covers_custom_included_and_onsite_services(doc_ws: Workspace) -> None:
    # given: a German deal with an included workshop, a custom service and on-site days
    ctx = _context(doc_ws, example("D-2026-0042"), "sow")
    d = ctx.sow.deliverables
    # then
    assert [x.where for x in d] == ["lines[1]", "lines[3]", "lines[4]"]
    assert d[0].notes == ["Ohne Berechnung enthalten"]                 # included: 100 %
    assert d[1].custom and d[1].family_label == "Leistung außerhalb des Katalogs"
    assert d[2].family_label == "Vor-Ort-Leistung" and d[2].quantity == "2"
    assert ctx.sow.scope_paragraphs[0].startswith("Brightfield migrates")
    assert "\n" in ctx.sow.scope_paragraphs[0]                         # line breaks kept
    assert len(ctx.sow.assumptions) == 2 and not ctx.sow.acceptance_is_default
    assert [s.party for s in ctx.sow.signatures] == ["Brightfield Analytics B.V.",
                                                     "Acme Retail GmbH"]


def test_sow_defaults_when_the_deal_says_nothing(doc_ws: Workspace,
                                                 write_deal: Callable[..., Path]) -> None:
    # given: no assumptions, no acceptance terms, two scope paragraphs
    data = example_data("D-2026-0101")
    data["sow"] = {"scope": "Paragraph one,\nwrapped.\n\n\nParagraph two."}
    ctx = _context(doc_ws, write_deal(data), "sow")
    # then
    assert ctx.sow.scope_paragraphs == ["Paragraph one,\nwrapped.", "Paragraph two."]
    assert ctx.sow.assumptions == []
    assert ctx.sow.acceptance_is_default
    assert ctx.sow.acceptance == ctx.label.acceptance_default


def test_onboarding_lists_every_checklist_item_with_evidence_or_missing(
        doc_ws: Workspace) -> None:
    # given: a deal sent too early (no credit application, billing details, signed contract...)
    ctx = _context(doc_ws, example("D-2026-0077"), "onboarding")
    assert isinstance(ctx, OnboardingContext)
    items = {c.item: c for c in ctx.onboarding.checklist}
    # then: every item of the policy, in the policy's order
    assert list(items) == doc_ws.policy.checklists.onboarding
    assert items["signed_contract"].status == "Missing" and not items["signed_contract"].done
    assert items["credit_application"].evidence == "Missing"
    assert items["onboarding_form"].done and items["onboarding_form"].date == "10 Nov 2026"
    assert ctx.onboarding.summary == f"2 of {len(items)} items have evidence"
    assert not ctx.onboarding.complete


def test_onboarding_evidence_shows_date_by_and_reference(doc_ws: Workspace) -> None:
    ctx = _context(doc_ws, example("D-2026-0042"), "onboarding")
    items = {c.item: c for c in ctx.onboarding.checklist}
    ca = items["credit_application"]
    assert (ca.date, ca.by, ca.ref) == ("20.10.2026", "finance", "CA-1182")
    assert ca.label == "Kreditantrag" and ca.status == "Erledigt"


def test_onboarding_plan_dates_are_contract_start_plus_weeks(doc_ws: Workspace) -> None:
    # given: contract start 2027-01-04 (en_GB)
    ctx = _context(doc_ws, example("D-2026-0077"), "onboarding")
    start = date(2027, 1, 4)
    # then: one row per task of the policy, dated start + 7 x week days
    plan = ctx.onboarding.plan
    assert len(plan) == len(doc_ws.policy.onboarding_plan)
    for row, task in zip(plan, doc_ws.policy.onboarding_plan, strict=True):
        assert row.iso_date == (start + timedelta(days=7 * task.week)).isoformat()
        assert row.task == task.task and row.touchpoint == task.touchpoint
    assert plan[0].owner == "Sales" and plan[0].date == "4 Jan 2027"
    assert ctx.deal.go_live == "5 January 2027"
    assert ctx.contacts[0].role == "Onboarding contact"


def test_draft_onboarding_marks_every_page(doc_ws: Workspace, write_deal: Callable[..., Path],
                                           tmp_path: Path,
                                           no_weasyprint_warnings: list[object]) -> None:
    # given: a deal whose onboarding is blocked, with many contacts so the form runs to pages
    data = example_data("D-2026-0077")
    data["contacts"] = [{"name": f"Person {i}", "role": "technical",
                         "email": f"p{i}@tvlogistics.example"} for i in range(40)]
    path = write_deal(data)
    # when
    paths = render(doc_ws, path, "onboarding", tmp_path, formats=("pdf", "docx"))
    # then: every page says DRAFT; the customer's copy lists no blockers
    pages = [p.extract_text() for p in PdfReader(paths["pdf"]).pages]
    assert len(pages) >= 2
    assert all("DRAFT" in page for page in pages)
    assert not any("DAT001" in page for page in pages)
    from docx import Document

    header = Document(str(paths["docx"])).sections[0].header.paragraphs[0].text
    assert header.startswith("DRAFT")
    # and the internal copy's first page lists what blocks it (at the proposal stage its missing
    # onboarding items are "to do", CHK003 info, and do not block; the go-live's notice and
    # missing signature do)
    internal = render_document(doc_ws, path, "onboarding", tmp_path / "internal",
                               internal=True)
    first = PdfReader(internal.pdf).pages[0].extract_text()
    assert "DAT001" in first and "DAT003" in first


def test_render_twice_gives_identical_bytes(doc_ws: Workspace, tmp_path: Path) -> None:
    for kind in ("sow", "onboarding"):
        a = render(doc_ws, example("D-2026-0042"), kind, tmp_path / "a", formats=("pdf", "docx"))
        b = render(doc_ws, example("D-2026-0042"), kind, tmp_path / "b", formats=("pdf", "docx"))
        for fmt in ("pdf", "docx"):
            assert a[fmt].read_bytes() == b[fmt].read_bytes(), (kind, fmt)


# --- the command line -------------------------------------------------------------------------

def test_cli_final_sow_and_onboarding_of_a_clean_deal(run_cli: Callable[..., Any],
                                                      tmp_path: Path, admin_token: str) -> None:
    # when: issued (and recorded) by a person
    out = tmp_path / "out"
    sow = run_cli("sow", example("D-2026-0105"), "-o", out, "--date", "2026-11-22",
                  token=admin_token)
    onb = run_cli("onboarding", example("D-2026-0105"), "-o", out, "--date", "2026-11-22",
                  "--format", "pdf", token=admin_token)
    # then: final documents, not marked
    for proc in (sow, onb):
        assert_no_traceback(proc)
        assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "D-2026-0105-onboarding-ONB-D-2026-0105.pdf", "D-2026-0105-sow-SOW-D-2026-0105.docx",
        "D-2026-0105-sow-SOW-D-2026-0105.pdf"]
    text = pdf_text(out / "D-2026-0105-sow-SOW-D-2026-0105.pdf")
    assert "BROUILLON" not in text and "SOW-D-2026-0105" in text
    assert "Formation des administrateurs de Librairies Durand & Fils" in text
    assert "BROUILLON" not in docx_text(out / "D-2026-0105-sow-SOW-D-2026-0105.docx")


def test_cli_sow_is_refused_like_a_po_while_po_findings_stand(run_cli: Callable[..., Any],
                                                              tmp_path: Path) -> None:
    # given: a deal with unapproved exceptions (gated po)
    deal = example("D-2026-0042")
    # when
    final = run_cli("sow", deal, "-o", tmp_path / "final", "--date", "2026-11-22")
    draft = run_cli("sow", deal, "-o", tmp_path / "draft", "--date", "2026-11-22", "--draft")
    # then
    assert_no_traceback(final)
    assert final.returncode == 1 and "CAT002" in final.stderr
    assert not (tmp_path / "final").exists() or not any((tmp_path / "final").iterdir())
    assert draft.returncode == 0, draft.stderr
    assert "ENTWURF" in pdf_text(tmp_path / "draft" / "D-2026-0042-sow-draft.pdf")


def test_cli_onboarding_is_refused_while_onboarding_findings_stand(
        run_cli: Callable[..., Any], write_deal: Callable[..., Path], tmp_path: Path,
        admin_token: str) -> None:
    # given: a clean deal whose signed contract is not recorded: the PO may go, onboarding not
    from docgen.rules import ALL_RULES

    if "CHK003" not in {r.code for r in ALL_RULES}:
        pytest.skip("rule CHK003 is not registered in this build")
    data = example_data("D-2026-0101")
    del data["evidence"]["signed_contract"]
    path = write_deal(data)
    # when
    onb = run_cli("onboarding", path, "-o", tmp_path, "--date", "2026-11-22")
    sow = run_cli("sow", path, "-o", tmp_path, "--date", "2026-11-22", "--format", "pdf",
                  token=admin_token)
    # then
    assert_no_traceback(onb)
    assert onb.returncode == 1, onb.stderr
    # (at the approval stage, before the policy's onboarding_from, the missing contract is a
    # "to do" for CHK003; the go-live set without a signature is what blocks, DAT003)
    assert "DAT003" in onb.stderr and "signed_contract" in onb.stderr
    assert sow.returncode == 0, sow.stderr

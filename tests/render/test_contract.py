"""The contract (order form): legal's templates and clause library in the workspace, clauses
selected by condition, term with start and end date, renewal, payment type, signatures."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from docgen.render.clauses import Condition, DealFacts
from docgen.render.context import add_months
from tests.conftest import DOCGEN, example, example_data
from tests.docs import pdf_text, render_document
from tests.render._helpers import docx_text

pytestmark = pytest.mark.slow  # renders and subprocesses


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_german_contract_selects_its_clauses(doc_ws_path: Path, tmp_path: Path) -> None:
    # given: the German deal (DE, direct debit, automatic renewal, services and licences)
    out = render_document(doc_ws_path, example("D-2026-0042"), "contract", tmp_path,
                          formats=("pdf", "docx"))
    for text in (_flat(pdf_text(out.paths["pdf"])), _flat(docx_text(out.paths["docx"]))):
        # then: parties, term from 1 Dec 2026 for 12 months to 1 Dec 2027, renewal, payment
        assert "Bestellformular und Vertrag" in text
        assert "Acme Retail GmbH" in text and "Brightfield Analytics B.V." in text
        assert "1. Dezember 2027" in text
        assert "Verlängert sich automatisch um 12 Monate" in text
        assert "Lastschrift" in text
        # the clauses for this deal, in German, with the deal's values filled in
        assert "Der Vertrag beginnt am 1. Dezember 2026 und läuft 12 Monate, bis zum " \
               "1. Dezember 2027." in text
        for title in ("Vergütung und Zahlung per Lastschrift", "Verlängerung", "Datenschutz",
                      "Dienstleistungen", "Anwendbares Recht"):
            assert title in text, title
        # and not those for other deals
        assert "Vergütung und Vorauszahlung" not in text
        assert "Startpaket" not in text
        assert "{" not in text  # no placeholder left unfilled
        assert "LIC-ANL-PRO" in text
        assert "Unterschrift" in text


def test_us_contract_has_no_eu_clause_and_pays_by_invoice(doc_ws_path: Path,
                                                          tmp_path: Path) -> None:
    text = _flat(pdf_text(render_document(doc_ws_path, example("D-2026-0101"), "contract",
                                          tmp_path).pdf))
    assert "Order form" in text
    assert "Invoices are payable 30 days net." in text
    assert "Data protection" not in text
    assert "No automatic renewal: the contract ends on the end date" in text
    assert "December 1, 2027" in text


@pytest.mark.parametrize(("when", "expected"), [
    ({}, True),
    ({"territory": ["DE", "FR"]}, True),
    ({"territory": ["US"]}, False),
    ({"families": ["workshop"]}, True),
    ({"families": ["audit"]}, False),
    ({"payment_type": ["invoice"], "renewal": "auto"}, False),
    ({"payment_type": ["direct_debit"], "renewal": "auto"}, True),
    ({"new_customer": True}, False),
])
def test_condition_matches(when: dict[str, object], expected: bool) -> None:
    facts = DealFacts(territory="DE", families=frozenset({"licence", "workshop", "custom"}),
                      payment_type="direct_debit", renewal="auto", new_customer=False)
    assert facts.matches(Condition.model_validate(when)) is expected


@pytest.mark.parametrize(("start", "months", "end"), [
    (date(2026, 12, 1), 12, date(2027, 12, 1)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2026, 12, 15), 36, date(2029, 12, 15)),
])
def test_end_date_is_start_plus_term(start: date, months: int, end: date) -> None:
    assert add_months(start, months) == end


def _docgen(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run docgen in `cwd` as the workspace's first administrator (when `fresh` made it)."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    token = cwd / ".docgen" / "test-token"
    if token.is_file():
        env["DOCGEN_TOKEN"] = token.read_text("utf-8").strip()
    return subprocess.run([*DOCGEN, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=300, check=False, env=env)


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    proc = _docgen("init", "acme", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "acme"
    # the administrator's token is the last line `docgen init` prints
    (root / ".docgen" / "test-token").write_text(proc.stdout.strip().splitlines()[-1], "utf-8")
    return root


def test_cli_final_contract_is_referenced_not_numbered(fresh: Path, tmp_path: Path) -> None:
    # when: the contract of the clean US deal, in every format
    out = tmp_path / "out"
    proc = _docgen("contract", "examples/deals/D-2026-0101-clean.yaml", "-o", out, "--format",
                   "pdf,docx,html", "--date", "2026-11-22", cwd=fresh)
    # then: a final contract named after its deal, its reference printed
    assert proc.returncode == 0, proc.stderr
    stem = "D-2026-0101-contract-CTR-D-2026-0101"
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}.docx", f"{stem}.html", f"{stem}.pdf"]
    assert "CTR-D-2026-0101" in pdf_text(out / f"{stem}.pdf")


def test_cli_contract_refused_while_findings_block_it(fresh: Path, tmp_path: Path) -> None:
    proc = _docgen("contract", "examples/deals/D-2026-0042-approvals.yaml", "-o",
                   tmp_path / "out", "--date", "2026-11-22", cwd=fresh)
    assert proc.returncode == 1
    assert "final contract refused" in proc.stderr


def test_legal_edits_a_clause_in_word(fresh: Path, tmp_path: Path) -> None:
    # given: legal rewrites the English governing-law clause in Word (python-docx saves the
    # file with Word's full default template: styles, settings, a heading style)
    from docx import Document

    doc = Document()
    doc.add_heading("Governing law and venue", level=2)
    doc.add_paragraph("This contract is governed by the laws of England and Wales.")
    doc.add_paragraph("The courts of London decide every dispute between {vendor} and "
                      "{customer}.")
    doc.save(str(fresh / "templates" / "clauses" / "governing_law" / "en.docx"))
    # when: the next contract
    text = _flat(pdf_text(render_document(fresh, example("D-2026-0101"), "contract",
                                          tmp_path).pdf))
    # then
    assert "Governing law and venue" in text
    assert ("The courts of London decide every dispute between Brightfield Analytics B.V. and "
            "Harbor Freight Analytics Inc.") in text
    assert "Amsterdam have exclusive" not in text
    assert _docgen("templates", "check", cwd=fresh).returncode == 0


def test_check_reports_clause_library_problems(fresh: Path) -> None:
    clauses = fresh / "templates" / "clauses"
    # given: a French clause missing and an unknown placeholder in a German one
    (clauses / "term" / "fr.docx").unlink()
    from docx import Document

    doc = Document()
    doc.add_paragraph("Laufzeit")
    doc.add_paragraph("Der Vertrag läuft bis {ende}.")
    doc.save(str(clauses / "term" / "de.docx"))
    # when
    proc = _docgen("templates", "check", cwd=fresh)
    # then
    assert proc.returncode == 1
    assert "the clause 'term' has no fr text" in proc.stdout
    assert "templates/clauses/term/de.docx: unknown placeholder {ende}" in proc.stdout


def test_check_reports_an_unknown_condition_field(fresh: Path) -> None:
    index = fresh / "templates" / "clauses" / "index.yaml"
    index.write_text(index.read_text("utf-8").replace("when: {renewal: auto}",
                                                      "when: {renewal: auto, teritory: [DE]}"),
                     "utf-8")
    proc = _docgen("templates", "check", cwd=fresh)
    assert proc.returncode == 1
    line = next(ln for ln in proc.stdout.splitlines() if "teritory" in ln)
    assert line.startswith("templates/clauses/index.yaml:")
    assert "when.teritory: unknown field" in line


def test_contract_reads_new_contract_fields(write_deal: Callable[..., Path], doc_ws_path: Path,
                                            tmp_path: Path) -> None:
    # given: the US deal paid by card, renewing automatically, a new customer
    data = example_data("D-2026-0101")
    data["contract"].update(payment_type="card", renewal="auto", renewal_notice_days=30)
    data["customer"]["new"] = True
    text = _flat(pdf_text(render_document(doc_ws_path, write_deal(data), "contract",
                                          tmp_path).pdf))
    assert "Fees and payment in advance" in text
    assert "Credit card" in text
    assert "at least 30 days before the end date" in text
    assert "Onboarding" in text


def test_contract_same_input_same_bytes(doc_ws_path: Path, tmp_path: Path) -> None:
    first = render_document(doc_ws_path, example("D-2026-0105"), "contract", tmp_path / "a",
                            formats=("pdf", "docx"), number="CTR-D-2026-0105")
    second = render_document(doc_ws_path, example("D-2026-0105"), "contract", tmp_path / "b",
                             formats=("pdf", "docx"), number="CTR-D-2026-0105")
    assert first.sha256 == second.sha256


def test_contract_terms_at_their_defaults_leave_the_deal_dump_unchanged() -> None:
    # given: a deal that does not use the contract terms, and one that does
    from docgen.workspace import load_deal

    plain = load_deal(example("D-2026-0101")).model_dump(mode="json")["contract"]
    used = load_deal(example("D-2026-0042")).model_dump(mode="json")["contract"]
    # then: the first dumps (and so fingerprints) as before the terms existed, so POs issued
    # earlier still verify and an unchanged deal re-issues with its number
    assert set(plain) == {"start", "term_months", "payment_terms"}
    assert used["payment_type"] == "direct_debit" and used["renewal"] == "auto"

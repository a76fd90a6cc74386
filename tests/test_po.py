"""The PO as PDF, DOCX and HTML: figures read back, reconciled, in five locales."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import parse_decimal
from pypdf import PdfReader

from docgen import api
from docgen.pricing import PricedDeal
from docgen.render.i18n import Formatter, translations
from docgen.validate import DealResult
from docgen.workspace import Workspace
from tests.conftest import assert_no_traceback, example, example_data
from tests.docs import render_document

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out

ISSUED = date(2026, 11, 22)
LOCALES = [("en_US", "USD", "US"), ("en_GB", "GBP", "GB"), ("de_DE", "EUR", "DE"),
           ("fr_FR", "EUR", "FR"), ("ja_JP", "JPY", "JP")]


def _result(ws: Workspace, path: Path) -> DealResult:
    with api.Session(ws) as s:
        return s.validate([path])[0]


def _render(ws: Workspace, res: DealResult, out: Path, formats: tuple[str, ...] = ("pdf",),
            number: str | None = None) -> dict[str, Path]:
    return render_document(ws, Path(res.source), "po", out, formats=formats, number=number,
                           issue_date=ISSUED).paths


def _pdf_text(path: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


def _amount(text: str, f: Formatter) -> Decimal:
    """Parse a printed money string back into a Decimal, in the document's locale."""
    digits = "".join(ch for ch in text if ch.isdigit() or ch in ".,\u202f\xa0'")
    digits = digits.strip("\u202f\xa0 ")
    return parse_decimal(digits, locale=f.locale, strict=False)


def _fmt(ws: Workspace, locale: str, currency: str) -> Formatter:
    """The formatter documents use: Babel for the locale plus the workspace's translations."""
    return Formatter(locale, currency, translations(ws.templates_dir / "locale", locale))


def _check_reconciles(priced: PricedDeal, text: str, f: Formatter) -> None:
    """Every figure of every row is printed, and the printed figures reconcile."""
    flat = " ".join(text.split())
    printed_sold = Decimal(0)
    printed_list = Decimal(0)
    for ln in priced.lines:
        strings = [f.money(ln.list_unit_price), f.money(ln.list_amount), f.pct(ln.discount_pct),
                   f.money(ln.discount_amount)]
        strings.append(f.t("Included") if ln.included else f.money(ln.sold_amount))
        for s in strings:
            assert " ".join(s.split()) in flat, (ln.where, s)
        lst, disc = _amount(strings[1], f), _amount(strings[3], f)
        sold = Decimal(0) if ln.included else _amount(strings[4], f)
        assert lst - disc == sold, ln.where
        printed_list += lst
        printed_sold += sold
    t = priced.totals
    for m in (t.list_total, t.discount_total, t.sold_subtotal, t.tax_amount, t.total_due):
        assert " ".join(f.money(m).split()) in flat
    assert printed_list == _amount(f.money(t.list_total), f)
    assert printed_sold == _amount(f.money(t.sold_subtotal), f)


@pytest.mark.parametrize(("locale", "currency", "territory"), LOCALES)
def test_po_pdf_prints_every_figure_in_the_locale(ws, write_deal, tmp_path: Path,
                                                  no_weasyprint_warnings, locale: str,
                                                  currency: str, territory: str) -> None:
    # given the approvals deal moved to another locale, currency and territory
    data = example_data("D-2026-0042")
    data["customer"].update(locale=locale, currency=currency, territory=territory)
    res = _result(ws, write_deal(data))
    # when its draft PO is rendered
    paths = _render(ws, res, tmp_path / "out")
    # then every figure is in the PDF text, formatted by Babel, and they reconcile
    f = _fmt(ws, locale, currency)
    pages = _pdf_text(paths["pdf"])
    _check_reconciles(res.priced, "\n".join(pages), f)
    # every page has its footer and the DRAFT mark, in the document's language
    for i, page in enumerate(pages, 1):
        assert f"{f.t('Page')} {i} {f.t('of')} {len(pages)}" in page
        assert f"{f.t('Catalogue')} 2026.12" in page
        assert f.t("DRAFT") in page


def test_po_pdf_shows_usage_bundle_custom_use_by_and_starter_pack(ws, write_deal,
                                                                  tmp_path: Path) -> None:
    data = example_data("D-2026-0042")
    data["customer"].update(new=True, locale="en_GB", currency="GBP", territory="GB")
    res = _result(ws, write_deal(data))
    text = " ".join(" ".join(_pdf_text(_render(ws, res, tmp_path)["pdf"])).split())
    f = Formatter("en_GB", "GBP")
    assert "Includes 1,000,000 page views per month" in text             # usage threshold
    overage = f"Overage: {f.money(Decimal('22.00'))} per 10,000 page views"
    assert " ".join(overage.split()) in text
    assert "Use by " + f.date(date(2027, 5, 30)) in text                  # workshop use-by
    assert "Non-catalogue service" in text                               # custom line
    assert "Added automatically: starter pack for new customers" in text  # auto-added pack
    assert "SVC-WS-REMOTE" in text and "TRN-ADMIN" in text               # bundle components
    # descriptions come only from the catalogue
    assert "Remote workshop series led by a Brightfield consultant" in text


def test_po_pdf_lists_what_blocks_a_draft(ws, tmp_path: Path) -> None:
    res = _result(ws, example("D-2026-0042"))
    text = " ".join(_pdf_text(_render(ws, res, tmp_path)["pdf"]))
    for f in res.blockers("po"):
        assert f"{f.code} {f.where}" in text


def test_po_pdf_embeds_the_priced_deal(ws, tmp_path: Path) -> None:
    res = _result(ws, example("D-2026-0101"))
    pdf = _render(ws, res, tmp_path)["pdf"]
    data = json.loads(PdfReader(pdf).attachments["docgen-po.json"][0])
    assert data["deal"] == "D-2026-0101"
    assert data["fingerprint"] == res.priced.fingerprint
    assert data["totals"] == res.priced.totals.to_json()
    assert [ln["sold_amount"] for ln in data["lines"]] == [
        str(ln.sold_amount.amount) for ln in res.priced.lines]


def test_po_same_input_same_bytes(ws, tmp_path: Path) -> None:
    res = _result(ws, example("D-2026-0105"))
    a = _render(ws, res, tmp_path / "a", ("pdf", "docx", "html"))
    b = _render(ws, res, tmp_path / "b", ("pdf", "docx", "html"))
    for fmt in ("pdf", "docx", "html"):
        assert a[fmt].read_bytes() == b[fmt].read_bytes(), fmt


def _docx_rows(path: Path) -> list[list[str]]:
    from docx import Document

    doc = Document(str(path))
    rows: list[list[str]] = []
    for table in doc.tables:
        for row in table.rows:
            rows.append([c.text for c in row.cells])
    return rows


def test_po_docx_cells_hold_the_figures(ws, tmp_path: Path) -> None:
    res = _result(ws, example("D-2026-0042"))
    rows = _docx_rows(_render(ws, res, tmp_path, ("docx",))["docx"])
    f = _fmt(ws, "de_DE", "EUR")
    # the PDF's eight columns: no., "SKU · name" and description, quantity, five figures
    by_code = {r[1].split(" · ")[0]: r for r in rows if len(r) == 8}
    for ln in res.priced.lines:
        key = ln.code or ""
        row = by_code[key] if key else next(r for r in rows if len(r) == 8 and
                                            r[1].startswith(ln.description))
        assert row[3:] == [f.money(ln.list_unit_price), f.money(ln.list_amount),
                           f.pct(ln.discount_pct), f.money(ln.discount_amount),
                           f.t("Included") if ln.included else f.money(ln.sold_amount)]
    flat = [c for r in rows for c in r]
    assert f.money(res.priced.totals.total_due) in flat


def test_po_docx_keeps_special_characters(ws, write_deal, tmp_path: Path) -> None:
    data = example_data("D-2026-0101")
    data["customer"]["name"] = 'Müller & Söhne <GmbH> "Q"'
    res = _result(ws, write_deal(data))
    paths = _render(ws, res, tmp_path, ("docx", "pdf", "html"))
    flat = [c for r in _docx_rows(paths["docx"]) for c in r]
    assert any('Müller & Söhne <GmbH> "Q"' in c for c in flat)
    assert 'Müller & Söhne <GmbH> "Q"' in " ".join(_pdf_text(paths["pdf"]))
    assert "Müller &amp; Söhne &lt;GmbH&gt;" in paths["html"].read_text("utf-8")


def test_po_html_is_the_page_weasyprint_lays_out(ws, tmp_path: Path) -> None:
    res = _result(ws, example("D-2026-0101"))
    html = _render(ws, res, tmp_path, ("html",))["html"].read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<style>" in html and "@page" in html
    assert Formatter("en_US", "USD").money(res.priced.totals.total_due) in html


# ---- the command line -------------------------------------------------------------------------

def test_cli_po_draft_writes_every_format(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("po", example("D-2026-0042"), "-o", out, "--draft", "--date", "2026-11-22",
                   "--format", "pdf,docx,html")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "D-2026-0042-po-draft.docx", "D-2026-0042-po-draft.html", "D-2026-0042-po-draft.pdf"]


def test_cli_final_po_is_refused_while_findings_block_it(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("po", example("D-2026-0042"), "-o", out, "--date", "2026-11-22")
    assert proc.returncode == 1
    assert_no_traceback(proc)
    assert "final po refused" in proc.stderr
    assert "CAT002 approval lines[3]" in proc.stderr
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.parametrize(("args", "message"), [
    (("--format", "pdf,odt"), "unknown format 'odt'"),
    (("--date", "22/11/2026"), "is not a date"),
    ((), "give the issue date"),
])
def test_cli_po_bad_options_exit_2(run_cli, tmp_path: Path, args: tuple[str, ...],
                                   message: str) -> None:
    extra = ("--draft",) if args and args[0] == "--format" else ()
    date_arg = ("--date", "2026-11-22") if args and args[0] == "--format" else ()
    proc = run_cli("po", example("D-2026-0042"), "-o", tmp_path / "o", *extra, *date_arg, *args,
                   *(() if args else ("--draft",)))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert_no_traceback(proc)
    assert not (tmp_path / "o").exists()


def test_cli_po_batch_in_parallel(run_cli, tmp_path: Path) -> None:
    deals = sorted((Path(__file__).parent.parent / "examples" / "deals").glob("*.yaml"))
    out = tmp_path / "out"
    proc = run_cli("po", *deals, "-o", out, "--draft", "--date", "2026-11-22", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert len(list(out.glob("*.pdf"))) == len(deals)
    # piped: no progress bar on stderr
    assert proc.stderr == ""


def test_po_pdf_prints_recurring_seats_times_months_and_verifies(ws, write_deal,
                                                                 tmp_path: Path) -> None:
    # given: the recurring sample deal, in English
    from docgen.verify import verify_file

    data = example_data("D-2026-0140")
    data["customer"]["locale"] = "en_US"
    path = write_deal(data)
    res = _result(ws, path)
    # when: a final PO is rendered
    pdf = _render(ws, res, tmp_path / "out", number="PO-2026-000140")["pdf"]
    # then: the quantity cell says what is sold and for how long, and the figures reconcile
    text = " ".join(" ".join(_pdf_text(pdf)).split())
    assert "10 seats × 36 months" in text
    assert "5 seats × 24 months" in text
    _check_reconciles(res.priced, " ".join(_pdf_text(pdf)), _fmt(ws, "en_US", "EUR"))
    report = verify_file(ws, pdf, None)
    failed = {c.name for c in report.checks if not c.ok}
    assert failed == {"registry"}, report.mismatches  # no registry here; everything else holds

"""The DOCX documents: table cells read with python-docx, and every file opened by a real word
processor (LibreOffice headless), converted to PDF and its figures read back."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.dates import format_date

from docgen.pricing import PricedDeal
from docgen.workspace import Workspace
from tests.conftest import example_data
from tests.render._helpers import (
    MATRIX,
    babel_money,
    docx_text,
    expected_money,
    locale_deal,
    money_values,
    pdf_text,
    plain_spaces,
    priced,
    render,
)


def _lines_table(path: Path) -> Any:
    """The PO's line table: the one with the PDF's eight columns."""
    from docx import Document

    doc = Document(str(path))
    for table in doc.tables:
        if len(table.columns) == 8:
            return table
    raise AssertionError("no line table in the PO")


def test_po_docx_cells_hold_babel_figures(doc_ws: Workspace, write_deal: Callable[..., Path],
                                          tmp_path: Path) -> None:
    # given: the French sample deal
    path = write_deal(example_data("D-2026-0105"))
    p = priced(doc_ws, path)
    # when
    docx = render(doc_ws, path, "po", tmp_path, formats=("docx",))["docx"]
    # then: one row per line, each cell exactly what Babel prints (narrow no-break spaces too)
    table = _lines_table(docx)
    rows = [[c.text for c in r.cells] for r in table.rows][1:]
    assert len(rows) == len(p.lines)
    cur, loc = p.currency, "fr_FR"
    for row, ln in zip(rows, p.lines, strict=True):
        no, desc, _qty, lup, la, dpct, da, sold = row
        assert no == str(ln.index + 1)
        assert desc.startswith(f"{ln.code} · {ln.name}") and ln.description in desc
        assert lup == babel_money(ln.list_unit_price.amount, cur, loc)
        assert la == babel_money(ln.list_amount.amount, cur, loc)
        assert da == babel_money(ln.discount_amount.amount, cur, loc)
        assert sold == babel_money(ln.sold_amount.amount, cur, loc)
        assert dpct.endswith("\u00a0%")
    assert "Librairies Durand & Fils SARL" in docx_text(docx)  # escaped, not lost


def test_docx_keeps_markup_characters_and_line_breaks(doc_ws: Workspace,
                                                      write_deal: Callable[..., Path],
                                                      tmp_path: Path) -> None:
    # given: free text and a custom service full of XML's special characters
    data = example_data("D-2026-0042")
    data["lines"][3]["custom"]["description"] = 'Migration <legacy> & "co" \u2013 3 days'
    data["sow"]["scope"] = "First <b>line</b> & more\nsecond line\n\nA new paragraph."
    path = write_deal(data)
    # when
    paths = render(doc_ws, path, "sow", tmp_path, formats=("docx", "html"))
    # then: nothing dropped, nothing interpreted as markup
    text = docx_text(paths["docx"])
    assert 'Migration <legacy> & "co" \u2013 3 days' in text
    assert "First <b>line</b> & more\nsecond line" in text   # a Word line break
    assert "\nA new paragraph." in text                       # its own paragraph
    html = paths["html"].read_text("utf-8")
    assert "First &lt;b&gt;line&lt;/b&gt; &amp; more\nsecond line</p>" in html
    assert "<b>line</b>" not in html


# --- LibreOffice ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def converted(doc_ws: Workspace, soffice: Callable[..., list[Path]],
              tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Any]:
    """PO DOCX of every locale of the matrix, SOW and onboarding form of the French and the
    Japanese sample deals, converted by one LibreOffice run: (locale, kind) -> data."""
    root = tmp_path_factory.mktemp("lo")
    todo: list[tuple[str, str, Path]] = []
    for loc, cur, terr in MATRIX:
        path = root / f"{loc}.yaml"
        path.write_text(yaml.safe_dump(locale_deal(loc, cur, terr), allow_unicode=True), "utf-8")
        todo.append((loc, "po", path))
    for loc, name in (("fr_FR", "D-2026-0105"), ("ja_JP", "D-2026-0120")):
        path = root / f"{name}.yaml"
        path.write_text(yaml.safe_dump(example_data(name), allow_unicode=True), "utf-8")
        todo += [(loc, "sow", path), (loc, "onboarding", path)]
    out: dict[tuple[str, str], Any] = {}
    for loc, kind, path in todo:
        docx = render(doc_ws, path, kind, root / f"{loc}-{kind}", formats=("docx",))["docx"]
        out[(loc, kind)] = {"docx": docx, "priced": priced(doc_ws, path)}
    pdfs = soffice([v["docx"] for v in out.values()], root / "pdf")
    for value, pdf in zip(out.values(), pdfs, strict=True):
        value["pdf"] = pdf
        value["text"] = pdf_text(pdf)
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize(("locale", "currency"), [(m[0], m[1]) for m in MATRIX],
                         ids=[m[0] for m in MATRIX])
def test_libreoffice_po_figures_equal_babel_and_reconcile(
        converted: dict[tuple[str, str], Any], locale: str, currency: str) -> None:
    # given: the PO DOCX as LibreOffice lays it out
    item = converted[(locale, "po")]
    p: PricedDeal = item["priced"]
    text = item["text"]
    # then: every amount is Babel's (LibreOffice's PDF text turns no-break spaces into spaces;
    # the DOCX cells themselves keep them, see test_po_docx_cells_hold_babel_figures)
    for what, money in expected_money(p, locale):
        assert plain_spaces(money) in plain_spaces(text), f"{what}: {money!r}"
    # and each row reconciles: list - discount = sold; the rows add up to the totals
    rows = [v for line in text.splitlines()
            if len(v := money_values(line, locale, currency)) >= 3]
    assert len(rows) == len(p.lines)
    sold_sum = Decimal(0)
    for values, ln in zip(rows, p.lines, strict=True):
        sold = Decimal(0) if ln.included else values[3]
        assert values[1] - values[2] == sold
        sold_sum += sold
    assert sold_sum == p.totals.sold_subtotal.amount
    assert plain_spaces(babel_money(sold_sum, currency, locale)) in plain_spaces(text)


@pytest.mark.libreoffice
@pytest.mark.parametrize("locale", ["fr_FR", "ja_JP"])
def test_libreoffice_opens_sow_and_onboarding(converted: dict[tuple[str, str], Any],
                                              doc_ws: Workspace, locale: str) -> None:
    # given
    sow, onb = converted[(locale, "sow")], converted[(locale, "onboarding")]
    p: PricedDeal = sow["priced"]
    # then: the SOW shows the scope and every service with its locked description
    text = " ".join(sow["text"].split())
    if p.deal.sow is not None and p.deal.sow.scope:
        assert " ".join(p.deal.sow.scope.split())[:60] in text
    for ln in p.lines:
        if ln.family in ("workshop", "audit", "training", "onsite", "managed_service"):
            assert " ".join(ln.description.split())[:50] in text
            if ln.use_by:
                assert format_date(ln.use_by, "medium", locale=locale) in text
    # and the onboarding form every plan date
    start = p.deal.contract.start
    assert start is not None
    from datetime import timedelta

    onb_text = " ".join(onb["text"].split())
    for task in doc_ws.policy.onboarding_plan:
        day = format_date(start + timedelta(days=7 * task.week), "medium", locale=locale)
        assert " ".join(day.split()) in onb_text

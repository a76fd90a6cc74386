"""The PO's figures read back out of the PDF (pypdf) reconcile: per row list - discount = sold,
and the rows add up to the totals; in every locale of the matrix."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from docgen.render.i18n import Formatter
from docgen.workspace import Workspace
from tests.render._helpers import MATRIX, locale_deal, money_values, pdf_text, priced, render


@pytest.mark.parametrize(("locale", "currency", "territory"), MATRIX,
                         ids=[m[0] for m in MATRIX])
def test_po_figures_reconcile_from_pdf(doc_ws: Workspace, write_deal: Callable[..., Path],
                                       tmp_path: Path, no_weasyprint_warnings: list[object],
                                       locale: str, currency: str, territory: str) -> None:
    # given
    path = write_deal(locale_deal(locale, currency, territory))
    p = priced(doc_ws, path)
    included_word = Formatter(locale, currency, {}).t("Included")
    # when
    text = pdf_text(render(doc_ws, path, "po", tmp_path)["pdf"])
    # then: one text line per row carries its amounts: list unit, list, discount, sold
    rows = []
    for line in text.splitlines():
        values = money_values(line, locale, currency)
        if len(values) >= 3:
            rows.append((line, values))
    assert len(rows) == len(p.lines), [r[0] for r in rows]
    list_sum = discount_sum = sold_sum = Decimal(0)
    for (line, values), ln in zip(rows, p.lines, strict=True):
        unit, list_amount, discount = values[:3]
        if ln.included:
            sold = Decimal(0)
            assert len(values) == 3 and line.rstrip().endswith(
                ("Included", "Inclus", "Inklusive", included_word)), line
        else:
            assert len(values) == 4, line
            sold = values[3]
        assert list_amount - discount == sold, line
        assert list_amount == (unit * ln.quantity).quantize(list_amount), line
        list_sum += list_amount
        discount_sum += discount
        sold_sum += sold
    singles = [values[0] for line in text.splitlines()
               if len(values := money_values(line, locale, currency)) == 1]
    # the totals block is the last run of single amounts: list, discount, subtotal, [tax], due
    t = p.totals
    tail = singles[-5:] if t.tax_rate is not None else singles[-4:]
    assert tail[0] == list_sum == t.list_total.amount
    assert tail[1] == discount_sum == t.discount_total.amount
    assert tail[2] == sold_sum == t.sold_subtotal.amount
    assert tail[-1] == t.total_due.amount == sold_sum + (tail[3] if t.tax_rate else 0)

"""Every document in six locales: rendered without a WeasyPrint warning, and every amount, date
and number printed exactly as Babel formats it for the locale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from babel.dates import format_date

from docgen.workspace import Workspace
from tests.render._helpers import (
    KINDS,
    MATRIX,
    docx_text,
    expected_money,
    locale_deal,
    pdf_text,
    priced,
    render,
)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("locale", "currency", "territory"), MATRIX,
                         ids=[m[0] for m in MATRIX])
def test_document_renders_in_locale(doc_ws: Workspace, write_deal: Callable[..., Path],
                                    tmp_path: Path, no_weasyprint_warnings: list[object],
                                    locale: str, currency: str, territory: str,
                                    kind: str) -> None:
    # given: the richest sample deal sold in this locale and currency
    path = write_deal(locale_deal(locale, currency, territory))
    p = priced(doc_ws, path)
    # when
    paths = render(doc_ws, path, kind, tmp_path, formats=("pdf", "docx"))
    # then: no WeasyPrint warning (fixture), and the figures are Babel's (a date may wrap at the
    # end of a table cell: line ends count as spaces)
    text = pdf_text(paths["pdf"]).replace("\n", " ")
    word = docx_text(paths["docx"]).replace("\n", " ")
    deal = p.deal
    start = deal.contract.start
    assert start is not None
    assert format_date(start, "long", locale=locale) in text
    assert deal.customer.name in text and deal.customer.name in word
    if kind == "po":
        for what, money in expected_money(p, locale):
            assert money in text, f"{what}: {money!r} not in the PDF"
            assert money in word, f"{what}: {money!r} not in the DOCX"
    elif kind == "sow":
        for ln in p.lines:
            if ln.use_by is not None:
                day = format_date(ln.use_by, "medium", locale=locale)
                assert day in text and day in word, f"use-by {day!r} of {ln.where}"
    else:
        for task in doc_ws.policy.onboarding_plan:
            day = format_date(start + timedelta(days=7 * task.week), "medium", locale=locale)
            assert day in text and day in word, f"week {task.week}: {day!r}"


def test_en_in_prints_lakh_grouping_in_rupees(doc_ws: Workspace, write_deal: Callable[..., Path],
                                              tmp_path: Path,
                                              no_weasyprint_warnings: list[object]) -> None:
    # given: 12 months of Analytics Pro at 1,10,000.00 INR with a 25 % discount
    path = write_deal(locale_deal("en_IN", "INR", "IN"))
    # when
    text = pdf_text(render(doc_ws, path, "po", tmp_path)["pdf"])
    # then: Indian grouping (lakh, crore) and the rupee sign
    assert "₹1,10,000.00" in text          # list unit price
    assert "₹13,20,000.00" in text         # list amount: 12 x 1,10,000
    assert "₹9,90,000.00" in text          # sold: 13,20,000 - 25 %


def test_ja_jp_prints_yen_and_japanese_names(doc_ws: Workspace, write_deal: Callable[..., Path],
                                             tmp_path: Path,
                                             no_weasyprint_warnings: list[object]) -> None:
    # given
    path = write_deal(locale_deal("ja_JP", "JPY", "JP"))
    # when
    text = pdf_text(render(doc_ws, path, "po", tmp_path)["pdf"])
    # then: the fullwidth yen sign, no decimals, and the customer in Japanese (IPAGothic glyphs:
    # a missing glyph would have been a WeasyPrint warning, and pypdf would read garbage)
    assert "￥190,000" in text and "￥190,000.00" not in text
    assert "株式会社サクラ分析" in text and "佐藤 花子" in text
    assert "2026年12月1日" in text          # contract start, long date

"""Helpers of the document tests: deals per locale, rendering, reading documents back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.numbers import format_currency, get_currency_symbol, get_decimal_symbol, get_group_symbol

from docgen import api
from docgen.pricing import PricedDeal
from docgen.workspace import Workspace
from tests.conftest import example_data
from tests.docs import ISSUED, pdf_text, render_document

__all__ = ["ISSUED", "KINDS", "MATRIX", "babel_money", "docx_text", "expected_money",
           "locale_deal", "money_values", "pdf_text", "plain_spaces", "priced", "render"]

#: (locale, currency, territory) of the locale matrix.
MATRIX = [("en_US", "USD", "US"), ("en_GB", "GBP", "GB"), ("de_DE", "EUR", "DE"),
          ("fr_FR", "EUR", "FR"), ("ja_JP", "JPY", "JP"), ("en_IN", "INR", "IN")]
KINDS = ("po", "sow", "onboarding")

_CUSTOMERS: dict[str, dict[str, Any]] = {
    "ja_JP": {"name": "株式会社サクラ分析", "vat_id": "T4010001234567",
              "invoice_contact": {"name": "佐藤 花子", "email": "keiri@sakura-bunseki.example"},
              "billing_address": {"street": "千代田区丸の内1-1-1", "postal_code": "100-0005",
                                  "city": "東京都", "country": "JP"}},
    "en_IN": {"name": "Ganga Retail Analytics Pvt. Ltd.", "vat_id": "27AAPFU0939F1ZV",
              "invoice_contact": {"name": "Ananya Iyer", "email": "ap@gangaretail.example"},
              "billing_address": {"street": "14 MG Road", "postal_code": "560001",
                                  "city": "Bengaluru", "country": "IN"}},
}


def locale_deal(locale: str, currency: str, territory: str) -> dict[str, Any]:
    """The richest sample deal (discounts, an included workshop, usage, a non-catalogue
    service, an on-site day, support) sold in `locale`, `currency` and `territory`."""
    data = example_data("D-2026-0042")
    data["deal"] = f"D-2026-9{MATRIX.index((locale, currency, territory)):03d}"
    cust = data["customer"]
    cust.update(locale=locale, currency=currency, territory=territory)
    cust.update(_CUSTOMERS.get(locale, {}))
    for line in data["lines"]:
        if "custom" in line and currency == "JPY":
            line["custom"]["unit_price"] = "650000"
        elif "custom" in line and currency == "INR":
            line["custom"]["unit_price"] = "380000.00"
        if "discount_amount" in line and currency in ("JPY", "INR"):
            line["discount_amount"] = "45000" if currency == "JPY" else "27000.00"
    return data


def priced(ws: Workspace, path: Path) -> PricedDeal:
    """The deal at `path`, priced."""
    with api.Session(ws) as s:
        return s.validate([path])[0].priced


def render(ws: Workspace, path: Path, kind: str, out: Path, *, formats: tuple[str, ...] = ("pdf",),
           draft: bool = True) -> dict[str, Path]:
    """Render one document in process (see :func:`tests.docs.render_document`); the written
    paths. A final one is numbered like the first PO of the year, without the registry."""
    number = None if draft else f"PO-{ISSUED.year}-000001"
    return render_document(ws, path, kind, out, formats=formats, number=number,
                           draft=draft).paths


def docx_text(path: Path) -> str:
    """Every paragraph of a DOCX (body, table cells, headers, footers), one per line."""
    from docx import Document

    doc = Document(str(path))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                out += [p.text for p in cell.paragraphs]
    for sec in doc.sections:
        out += [p.text for p in sec.header.paragraphs] + [p.text for p in sec.footer.paragraphs]
    return "\n".join(out)


def babel_money(amount: Decimal, currency: str, locale: str) -> str:
    """What Babel prints for `amount`: the string every document must contain."""
    return format_currency(amount, currency, locale=locale, decimal_quantization=False)


def expected_money(p: PricedDeal, locale: str) -> Iterator[tuple[str, str]]:
    """(what, Babel's string) for every amount a PO prints."""
    cur = p.currency
    for ln in p.lines:
        assert ln.priced, ln
        yield f"{ln.where} list unit price", babel_money(ln.list_unit_price.amount, cur, locale)
        yield f"{ln.where} list amount", babel_money(ln.list_amount.amount, cur, locale)
        yield f"{ln.where} discount", babel_money(ln.discount_amount.amount, cur, locale)
        if not ln.included:
            yield f"{ln.where} sold", babel_money(ln.sold_amount.amount, cur, locale)
    t = p.totals
    for name in ("list_total", "discount_total", "sold_subtotal", "total_due"):
        yield name, babel_money(getattr(t, name).amount, cur, locale)
    if t.tax_rate is not None:
        yield "tax", babel_money(t.tax_amount.amount, cur, locale)


_SPACES = " \u00a0\u202f"


def money_pattern(locale: str, currency: str) -> re.Pattern[str]:
    """A regex matching money strings of `currency` as `locale` prints them (a no-break space
    may come back as a plain one: LibreOffice's PDF text does that)."""
    sym = re.escape(get_currency_symbol(currency, locale))
    group = get_group_symbol(locale)
    grp = f"[{_SPACES}]" if group in _SPACES else re.escape(group)
    dec = re.escape(get_decimal_symbol(locale))
    num = rf"\d{{1,3}}(?:{grp}\d{{2,3}})*(?:{dec}\d+)?"
    sp = r"[\u00a0\u202f ]?"
    return re.compile(rf"(?:{sym}{sp}(?P<a>{num})|(?P<b>{num}){sp}{sym})")


def money_values(text: str, locale: str, currency: str) -> list[Decimal]:
    """Every money amount in `text`, parsed back into Decimals, in order."""
    grp, dec = get_group_symbol(locale), get_decimal_symbol(locale)
    out = []
    for m in money_pattern(locale, currency).finditer(text):
        num = m.group("a") or m.group("b")
        for sep in (grp, *(_SPACES if grp in _SPACES else ())):
            num = num.replace(sep, "")
        out.append(Decimal(num.replace(dec, ".")))
    return out


def plain_spaces(text: str) -> str:
    """No-break spaces as plain ones (how LibreOffice's PDF text gives them back)."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")

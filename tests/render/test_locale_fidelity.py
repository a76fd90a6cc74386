"""Amounts, percentages and quantities as CLDR prints them, where Babel 2.19 alone does not.

The expected strings are written out by hand from CLDR 49 (the data Babel 2.19 ships): Swiss
grouping is an ASCII apostrophe since CLDR 48 (ICU 72, on CLDR 42, still printed U+2019), the
currency spacing rule is CLDR root's ``currencySpacing`` (a no-break space), and fr_CH's
``currencyDecimal`` is a point. The ``test_babel_still_*`` tests pin Babel's own output: when one
fails, Babel has fixed that trap and the matching workaround in ``docgen/render/i18n.py`` can go.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency, format_decimal

from docgen.money import Money
from docgen.pricing import effective_pct
from docgen.render.i18n import Formatter, plural_index
from docgen.workspace import Workspace

D = Decimal
NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"


def fmt(locale: str, currency: str = "EUR", locale_dir: Path | None = None) -> Formatter:
    """A Formatter, with the catalogs of `locale_dir` when given."""
    if locale_dir is None:
        return Formatter(locale, currency)
    return Formatter.for_locale(locale, currency, locale_dir)


# -- grouping with an apostrophe (de_CH, fr_CH) ---------------------------------------------------

@pytest.mark.parametrize(("locale", "amount", "expected"), [
    ("de_CH", "1234567.89", f"CHF{NBSP}1'234'567.89"),
    ("de_CH", "1000000.00", f"CHF{NBSP}1'000'000.00"),
    ("de_CH", "1234567890.50", f"CHF{NBSP}1'234'567'890.50"),
    ("de_CH", "1234.57", f"CHF{NBSP}1'234.57"),
    ("de_CH", "-1234567.89", f"CHF{MINUS}1'234'567.89"),
    ("fr_CH", "1234567.89", f"1'234'567.89{NBSP}CHF"),
    ("it_CH", "1234567.89", f"CHF{NBSP}1'234'567.89"),
])
def test_money_keeps_swiss_grouping_of_millions(locale: str, amount: str, expected: str) -> None:
    # given: a Swiss amount of a million or more
    f = fmt(locale, "CHF")
    # when / then: every group keeps its separator
    assert f.money(D(amount)) == expected


def test_number_keeps_swiss_grouping_of_millions() -> None:
    # given: a quantity of a million (a usage threshold) and a large percent
    f = fmt("de_CH")
    # then
    assert f.number(D(1000000)) == "1'000'000"
    assert f.number(D("1234567.5")) == "1'234'567.5"


def test_babel_still_strips_swiss_grouping() -> None:
    """Fails once Babel keeps the apostrophes: then remove the stand-in group symbol."""
    assert format_currency(D("1234567.89"), "CHF", locale="de_CH") == f"CHF{NBSP}1234567.89"
    assert format_decimal(D(1000000), locale="de_CH") == "1000000"


# -- CLDR currency spacing ------------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "currency", "amount", "expected"), [
    ("en_US", "CHF", "1234.57", f"CHF{NBSP}1,234.57"),
    ("en_US", "BHD", "7126.362", f"BHD{NBSP}7,126.362"),
    ("en_US", "CHF", "-1234.57", f"{MINUS}CHF{NBSP}1,234.57"),
    ("ja_JP", "CHF", "1234.57", f"CHF{NBSP}1,234.57"),
    ("en_IN", "BHD", "1234567.891", f"BHD{NBSP}12,34,567.891"),
    # a symbol, not letters: nothing inserted
    ("en_US", "USD", "1234.57", "$1,234.57"),
    ("en_US", "EUR", "1234.57", "€1,234.57"),
    ("ja_JP", "JPY", "1234567", "￥1,234,567"),
    ("en_IN", "INR", "1234567.89", "₹12,34,567.89"),
    # the locale's pattern already has a space: nothing doubled
    ("de_DE", "EUR", "1234567.89", f"1.234.567,89{NBSP}€"),
    ("de_DE", "CHF", "1234.57", f"1.234,57{NBSP}CHF"),
    ("fr_FR", "EUR", "1234567.89", f"1{NNBSP}234{NNBSP}567,89{NBSP}€"),
    ("nl_NL", "CHF", "-1234.57", f"CHF{NBSP}{MINUS}1.234,57"),
])
def test_money_applies_cldr_currency_spacing(locale: str, currency: str, amount: str,
                                             expected: str) -> None:
    # when / then
    assert fmt(locale, currency).money(D(amount)) == expected


def test_babel_still_lacks_currency_spacing() -> None:
    """Fails once Babel applies currencySpacing: then remove ``_currency_spacing``."""
    assert format_currency(D("1234.57"), "CHF", locale="en_US") == "CHF1,234.57"


# -- currency decimal and group symbols -----------------------------------------------------------

def test_fr_ch_money_uses_the_currency_decimal_point() -> None:
    # given: fr_CH, whose CLDR currencyDecimal is "." while its decimal is ","
    f = fmt("fr_CH", "CHF")
    # then: amounts of money use the point, other numbers the comma
    assert f.money(D("1234.57")) == f"1'234.57{NBSP}CHF"
    assert f.money(D("0.05")) == f"0.05{NBSP}CHF"
    assert f.number(D("1.5")) == "1,5"


def test_babel_still_ignores_the_currency_decimal() -> None:
    """Fails once Babel uses currencyDecimal: then drop it from ``_FormattingLocale``."""
    assert format_currency(D("1234.57"), "CHF", locale="fr_CH") == f"1'234,57{NBSP}CHF"


# -- the effective discount % ---------------------------------------------------------------------

def test_effective_pct_rounds_half_up() -> None:
    """
    discount   list     exact %    half-even   half-up (docgen)
    1.00       800.00   0.125      0.12        0.13
    1.00       1600.00  0.0625     0.06        0.06
    37.00      400.00   9.25       9.25        9.25
    0.05       8.00     0.625      0.62        0.63
    """
    # given / when / then
    for discount, list_amount, expected in (("1.00", "800.00", "0.13"),
                                            ("1.00", "1600.00", "0.06"),
                                            ("37.00", "400.00", "9.25"),
                                            ("0.05", "8.00", "0.63")):
        got = effective_pct(Money(D(discount), "EUR"), Money(D(list_amount), "EUR"))
        assert got == D(expected), (discount, list_amount)


def test_pct_rounds_a_third_decimal_half_up() -> None:
    # given: a percent with three decimals (Babel alone would print 12.34 %)
    # then
    assert fmt("en_US").pct(D("12.345")) == "12.35%"
    assert fmt("de_DE").pct(D("0.125")) == f"0,13{NBSP}%"
    assert fmt("de_DE").pct(D("15")) == f"15{NBSP}%"


# -- quantities with their unit -------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "quantity", "unit", "expected"), [
    ("en_US", "1", "month", "1 month"),
    ("en_US", "12", "month", "12 months"),
    ("en_US", "10", "seat", "10 seats"),
    ("en_US", "1.5", "day", "1.5 days"),
    ("en_US", "1.000", "each", "1 unit"),
    ("en_US", "1000000", "page views", "1,000,000 page views"),
    ("fr_FR", "360", "seat", "360 utilisateurs"),
    ("fr_FR", "1", "seat", "1 utilisateur"),
    ("fr_FR", "0", "seat", "0 utilisateur"),          # CLDR fr: 0 and 1 are "one"
    ("fr_FR", "1.5", "day", "1,5 jour"),              # ... and so is 1.5
    ("fr_FR", "2", "day", "2 jours"),
    ("fr_FR", "12", "month", "12 mois"),
    ("fr_FR", "1000000", "page views", f"1{NNBSP}000{NNBSP}000 pages vues"),  # CLDR "many"
    ("fr_CH", "2", "year", "2 ans"),
    ("de_DE", "12", "month", "12 Monate"),
    ("de_DE", "1", "month", "1 Monat"),
    ("de_DE", "1.5", "day", "1,5 Tage"),              # CLDR de: only an integer 1 is "one"
    ("de_DE", "3", "session", "3 Termine"),
    ("de_CH", "2", "hour", "2 Stunden"),
    ("ja_JP", "12", "month", "12 months"),            # no Japanese catalog: English forms
    ("de_DE", "3", "widget", "3 widget"),             # a unit docgen does not know: as written
])
def test_quantity_plural_follows_cldr(doc_ws: Workspace, locale: str, quantity: str, unit: str,
                                      expected: str) -> None:
    # given: a Formatter with the workspace's catalogs
    f = fmt(locale, "EUR", doc_ws.templates_dir / "locale")
    # when / then
    assert f.quantity(D(quantity), unit) == expected


def test_quantity_without_catalogs_is_english() -> None:
    # given: a Formatter without catalogs (verify's and the report's)
    f = fmt("de_DE")
    # then: English forms, German digits
    assert f.quantity(D(1), "seat") == "1 seat"
    assert f.quantity(D("2.5"), "seat") == "2,5 seats"


@pytest.mark.parametrize(("locale", "value", "index"), [
    ("fr", "1", 0), ("fr", "0", 0), ("fr", "1.5", 0), ("fr", "1000000", 1), ("fr", "2", 2),
    ("de", "1", 0), ("de", "1.5", 1), ("de", "2", 1), ("en", "1", 0), ("en", "1.0", 1),
    ("ja", "1", 0),
])
def test_plural_index_numbers_forms_in_cldr_order(locale: str, value: str, index: int) -> None:
    # then: French one=0, many=1, other=2; German and English one=0, other=1; Japanese one form
    assert plural_index(locale, D(value)) == index

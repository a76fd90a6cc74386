"""Babel formatting for one locale and currency, and the workspace's message catalogs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from docgen.money import Money, minor_unit

__all__ = ["Formatter", "translations"]


@lru_cache(maxsize=64)
def _babel_locale(locale: str) -> Locale:
    # given a string, Babel parses the locale again on every call (about half the cost of
    # formatting an amount); a parsed Locale is reused as it is
    return Locale.parse(locale)


@lru_cache(maxsize=64)
def _pct_pattern(locale: str) -> str:
    # the locale's own percent pattern ("#,##0 %" in de_DE) with up to two decimals, so that a
    # 12.5 % discount prints as 12.5 %, not 12 % (Babel's default has no decimals)
    base = Locale.parse(locale).percent_formats[None].pattern
    return base.replace("#,##0", "#,##0.##", 1) if "#,##0" in base else "#,##0.##%"


@lru_cache(maxsize=64)
def translations(locale_dir: Path, locale: str) -> dict[str, str]:
    """msgid -> msgstr from ``locale_dir/<lang>/LC_MESSAGES/messages.po`` (lang, then language)."""
    from babel.messages.pofile import read_po

    loc = Locale.parse(locale)
    for tag in (str(loc), loc.language):
        po = locale_dir / tag / "LC_MESSAGES" / "messages.po"
        if po.is_file():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=tag)
            return {m.id: m.string for m in catalog
                    if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}
    return {}


@dataclass(frozen=True)
class Formatter:
    """Formats money, numbers, percentages and dates for one locale, and translates labels."""

    locale: str
    currency: str
    catalog: dict[str, str] = field(default_factory=dict)

    def t(self, msgid: str, **fields: object) -> str:
        """Translate `msgid` and fill its {fields}."""
        text = self.catalog.get(msgid, msgid)
        return text.format(**fields) if fields else text

    def money(self, value: Money | Decimal | None) -> str:
        """Amount in the deal currency, e.g. ``1.234,50 €`` (de_DE); empty for None."""
        if value is None:
            return ""
        amount = value.amount if isinstance(value, Money) else value
        # amounts are already rounded half-up by docgen.money; quantization off keeps Babel from
        # re-rounding them (half-even) and keeps extra digits of a 4-decimal unit price
        out = format_currency(amount, self.currency, locale=_babel_locale(self.locale),
                              decimal_quantization=False)
        return out.replace("-", "\u2212") if amount < 0 else out

    def number(self, value: Decimal | int | None) -> str:
        """A quantity, without trailing zeros: ``1.5``, ``12``."""
        if value is None:
            return ""
        if isinstance(value, Decimal):
            # 12.000 -> 12, 1.50 -> 1.5 (normalize alone would give 1.2E+1 for 12)
            value = value.quantize(Decimal(1)) if value == value.to_integral_value() \
                else value.normalize()
        return format_decimal(value, locale=_babel_locale(self.locale), decimal_quantization=False)

    def pct(self, value: Decimal | None) -> str:
        """A percent given as 15 (not 0.15): ``15 %``, ``12.5 %``."""
        if value is None:
            return ""
        return format_percent(value / Decimal(100), format=_pct_pattern(self.locale),
                              locale=_babel_locale(self.locale))

    def date(self, value: date | None, style: str = "medium") -> str:
        """A date in the locale's medium (or long) form; never two-digit years."""
        if value is None:
            return ""
        return format_date(value, style, locale=_babel_locale(self.locale))

    @property
    def lang(self) -> str:
        """The language code, e.g. ``de``."""
        return _babel_locale(self.locale).language

    @property
    def decimals(self) -> int:
        """The currency's minor unit."""
        return minor_unit(self.currency)

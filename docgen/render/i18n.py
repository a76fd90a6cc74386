"""Babel formatting for one locale and currency, and the workspace's message catalogs.

Babel 2.19 (CLDR 49) is followed except where it departs from CLDR, each departure worked around
here and pinned by a test in ``tests/render/test_locale_fidelity.py`` that fails once Babel
itself gets it right (then drop the workaround):

- **Apostrophe grouping** (de_CH, fr_CH, it_CH, de_LI …): Babel strips quote characters from the
  *finished* string, as if the group separators quoted pattern text, so ``CHF 1'234'567.89``
  came out as ``CHF 1234567.89``. Numbers are formatted with a stand-in group symbol.
- **Currency decimal and group** (CLDR ``currencyDecimal`` / ``currencyGroup``): amounts of money
  use them where the locale defines them (fr_CH ``1'234.57 CHF``, not ``1'234,57 CHF``; in
  CLDR 49 fr_CH is the only locale where they differ from the number symbols).
- **Currency spacing** (CLDR ``currencySpacing``, the root rule every locale inherits): a
  currency symbol that ends (before the number) or starts (after it) with a character that is
  neither a symbol nor a space gets a no-break space next to a digit: ``CHF 1,234.57``,
  ``BHD 7,126.362``; ``$1,234.57`` and ``1.234,57 €`` are unchanged.

Units are pluralised by CLDR's plural rules (:meth:`Formatter.quantity`): the catalogs hold a
msgid/msgid_plural entry per unit, with one form per CLDR plural category of the language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_symbol

from docgen.money import Money, minor_unit
from docgen.render.labels import UNIT_FORMS

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

    from docgen.errors import Problem

__all__ = ["Formatter", "label_overrides", "override_files", "parse_overrides", "plural_index",
           "plural_translations", "read_overrides", "translations", "workspace_formatter"]

#: CLDR's currencySpacing insertBetween (root): a no-break space.
_NBSP = "\u00a0"
#: Stands in for a group symbol that holds a quote character while Babel formats (a private-use
#: character: it never occurs in locale data).
_STAND_IN_GROUP = "\ue000"
#: CLDR plural categories in the order gettext catalogs number their forms (the order of
#: ``babel.plural.to_gettext`` and of ``pybabel init``'s Plural-Forms headers).
_CATEGORY_ORDER = ("zero", "one", "two", "few", "many", "other")
_PCT_STEP = Decimal("0.01")


class _FormattingLocale(Locale):
    """A Babel locale whose number symbols are the ones docgen formats with.

    Babel reads the decimal and group symbols through ``Locale.number_symbols``; this view gives
    it the currency decimal and group symbols for money (when the locale has them) and a
    stand-in for a group symbol holding a quote, which :func:`_restore_group` puts back.
    """

    def __init__(self, base: Locale, *, money: bool) -> None:
        super().__init__(base.language, base.territory, base.script, base.variant, base.modifier)
        self._money = money

    @cached_property
    def _symbols(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for system, given in super().number_symbols.items():
            symbols = dict(given)
            if self._money:
                symbols["decimal"] = symbols.get("currencyDecimal", symbols.get("decimal", "."))
                symbols["group"] = symbols.get("currencyGroup", symbols.get("group", ","))
            if "'" in symbols.get("group", ""):
                symbols["group"] = _STAND_IN_GROUP
            out[system] = symbols
        return out

    @property
    def number_symbols(self) -> Any:  # noqa: ANN401 - Babel's LocaleDataDict or a plain dict
        """The symbols of every numbering system, as docgen formats them."""
        return self._symbols

    def real_group(self, system: str = "latn") -> str:
        """The group symbol the stand-in replaces."""
        symbols = super().number_symbols[system]
        if self._money and "currencyGroup" in symbols:
            return str(symbols["currencyGroup"])
        return str(symbols.get("group", ","))


@lru_cache(maxsize=64)
def _babel_locale(locale: str) -> Locale:
    # given a string, Babel parses the locale again on every call (about half the cost of
    # formatting an amount); a parsed Locale is reused as it is
    return Locale.parse(locale)


@lru_cache(maxsize=64)
def _formatting_locale(locale: str, *, money: bool) -> _FormattingLocale:
    return _FormattingLocale(_babel_locale(locale), money=money)


def _restore_group(text: str, loc: _FormattingLocale) -> str:
    return text.replace(_STAND_IN_GROUP, loc.real_group()) if _STAND_IN_GROUP in text else text


def _spaceable(ch: str) -> bool:
    # CLDR root currencyMatch [[:^S:]&[:^Z:]]: neither a symbol (€ $ ￥ ₹) nor a separator
    return unicodedata.category(ch)[0] not in "SZ"


def _currency_spacing(text: str, symbol: str) -> str:
    """CLDR currencySpacing: a no-break space between a letter-like symbol edge and a digit."""
    at = text.find(symbol) if symbol else -1
    if at < 0:
        return text
    end = at + len(symbol)
    # after the symbol (prefix currency): CHF1,234.57 -> CHF 1,234.57
    if end < len(text) and unicodedata.category(text[end]) == "Nd" and _spaceable(symbol[-1]):
        text = text[:end] + _NBSP + text[end:]
    # before the symbol (suffix currency): 1234,57CHF -> 1234,57 CHF
    if at > 0 and unicodedata.category(text[at - 1]) == "Nd" and _spaceable(symbol[0]):
        text = text[:at] + _NBSP + text[at:]
    return text


@lru_cache(maxsize=64)
def _pct_pattern(locale: str) -> str:
    # the locale's own percent pattern ("#,##0 %" in de_DE) with up to two decimals, so that a
    # 12.5 % discount prints as 12.5 %, not 12 % (Babel's default has no decimals)
    base = Locale.parse(locale).percent_formats[None].pattern
    return base.replace("#,##0", "#,##0.##", 1) if "#,##0" in base else "#,##0.##%"


@lru_cache(maxsize=64)
def _catalog(locale_dir: Path, locale: str) -> Catalog | None:
    """The catalog ``locale_dir/<lang>/LC_MESSAGES/messages.po`` (full tag, then language)."""
    from babel.messages.pofile import read_po

    loc = Locale.parse(locale)
    for tag in (str(loc), loc.language):
        po = locale_dir / tag / "LC_MESSAGES" / "messages.po"
        if po.is_file():
            with po.open("rb") as fh:
                return read_po(fh, locale=tag)
    return None


@lru_cache(maxsize=64)
def translations(locale_dir: Path, locale: str) -> dict[str, str]:
    """msgid -> msgstr from ``locale_dir/<lang>/LC_MESSAGES/messages.po`` (lang, then language)."""
    catalog = _catalog(locale_dir, locale)
    if catalog is None:
        return {}
    return {m.id: m.string for m in catalog
            if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


@lru_cache(maxsize=64)
def plural_translations(locale_dir: Path, locale: str) -> dict[str, tuple[str, ...]]:
    """Singular msgid -> its translated forms, for the catalog's msgid/msgid_plural entries.

    An entry counts only when it is not fuzzy and every form is translated.
    """
    catalog = _catalog(locale_dir, locale)
    if catalog is None:
        return {}
    return {m.id[0]: tuple(m.string) for m in catalog
            if isinstance(m.id, tuple) and isinstance(m.string, tuple) and not m.fuzzy
            and m.string and all(m.string)}


def override_files(templates_dir: Path, locale: str) -> list[Path]:
    """The label override files of `locale`, most general first: ``labels/fr.yaml``, then
    ``labels/fr_CH.yaml`` (a later file wins)."""
    loc = Locale.parse(locale)
    tags = list(dict.fromkeys((loc.language, str(loc))))
    return [p for t in tags if (p := templates_dir / "labels" / f"{t}.yaml").is_file()]


def read_overrides(path: Path) -> dict[str, str]:
    """key -> text of one override file; InputError naming the file, line and key when a key is
    unknown or a value is not text (``docgen templates check`` reports the same as problems)."""
    from docgen.errors import InputError

    texts, problems = parse_overrides(path)
    if problems:
        raise InputError(problems)
    return texts


def parse_overrides(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """key -> text of the good entries of an override file, and a problem per bad one."""
    from docgen.render.labels import override_keys
    from docgen.sources import load_file

    src = load_file(path)
    if src.data is None:
        return {}, []
    if not isinstance(src.data, dict):
        return {}, [src.problem((), "a label file maps label keys to texts "
                                "(e.g. acceptance_default: ...)")]
    keys = override_keys()
    problems, out = [], {}
    for key, value in src.data.items():
        if key not in keys:
            import difflib

            close = difflib.get_close_matches(str(key), list(keys), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(src.problem((key,), f"no label {key!r}{hint}"))
        elif not isinstance(value, str) or not value.strip():
            problems.append(src.problem((key,), "the label's text must be a non-empty text"))
        else:
            out[key] = " ".join(value.split()) if "\n\n" not in value else value.strip()
    return out, problems


def label_overrides(templates_dir: Path, locale: str) -> dict[str, str]:
    """English msgid -> the workspace's own text for `locale` (``templates/labels/*.yaml``).

    Legal changes wording here without touching the package: ``labels/en.yaml`` rewrites the
    English text (``acceptance_default: ...``), ``labels/de.yaml`` the German one; a label not
    named keeps its translation from the message catalog. Read again when a file changes (a
    long-running server sees an edit on its next document).
    """
    files = tuple((p, p.stat().st_mtime_ns) for p in override_files(templates_dir, locale))
    return _overrides(files) if files else {}


@lru_cache(maxsize=64)
def _overrides(files: tuple[tuple[Path, int], ...]) -> dict[str, str]:
    from docgen.render.labels import override_keys

    keys = override_keys()
    out: dict[str, str] = {}
    for path, _mtime in files:
        out.update({keys[k]: v for k, v in read_overrides(path).items()})
    return out


def workspace_formatter(templates_dir: Path, locale: str, currency: str) -> Formatter:
    """The Formatter of a document: the workspace's catalogs, then its label overrides."""
    catalog = translations(templates_dir / "locale", locale)
    overrides = label_overrides(templates_dir, locale)
    if overrides:
        catalog = {**catalog, **overrides}
    return Formatter(locale, currency, catalog,
                     plural_translations(templates_dir / "locale", locale))


def plural_index(locale: str, value: Decimal) -> int:
    """The catalog form (msgstr[i]) for `value` by the language's CLDR plural rule.

    Forms are numbered in CLDR's category order (one, two, few, many, other: French has one=0,
    many=1, other=2). `value` is the number as printed: CLDR rules look at the visible decimals,
    so 1.5 is singular in French ("1,5 jour") and plural in German ("1,5 Tage").
    """
    rule = _babel_locale(locale).plural_form
    used = [tag for tag in _CATEGORY_ORDER if tag in rule.tags or tag == "other"]
    return used.index(rule(value))


def _shown(value: Decimal | int) -> Decimal:
    """`value` as printed: 12.000 -> 12, 1.50 -> 1.5 (normalize alone gives 1.2E+1 for 12)."""
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass(frozen=True)
class Formatter:
    """Formats money, numbers, percentages and dates for one locale, and translates labels."""

    locale: str
    currency: str
    catalog: dict[str, str] = field(default_factory=dict)
    #: singular msgid -> translated plural forms (:func:`plural_translations`)
    plurals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def for_locale(cls, locale: str, currency: str, locale_dir: Path) -> Formatter:
        """A Formatter with the labels and plural forms of the catalogs in `locale_dir`."""
        return cls(locale, currency, translations(locale_dir, locale),
                   plural_translations(locale_dir, locale))

    def t(self, msgid: str, **fields: object) -> str:
        """Translate `msgid` and fill its {fields}."""
        text = self.catalog.get(msgid, msgid)
        return text.format(**fields) if fields else text

    def money(self, value: Money | Decimal | None) -> str:
        """Amount in the deal currency, e.g. ``1.234,50 €`` (de_DE); empty for None."""
        if value is None:
            return ""
        amount = value.amount if isinstance(value, Money) else value
        loc = _formatting_locale(self.locale, money=True)
        # amounts are already rounded half-up by docgen.money; quantization off keeps Babel from
        # re-rounding them (half-even) and keeps extra digits of a 4-decimal unit price
        out = _restore_group(format_currency(amount, self.currency, locale=loc,
                                             decimal_quantization=False), loc)
        out = _currency_spacing(out, get_currency_symbol(self.currency, loc))
        return out.replace("-", "\u2212") if amount < 0 else out

    def number(self, value: Decimal | int | None) -> str:
        """A quantity, without trailing zeros: ``1.5``, ``12``."""
        if value is None:
            return ""
        loc = _formatting_locale(self.locale, money=False)
        shown = _shown(value) if isinstance(value, Decimal) else value
        return _restore_group(format_decimal(shown, locale=loc, decimal_quantization=False), loc)

    def quantity(self, value: Decimal | int, unit: str) -> str:
        """A quantity with its unit, plural by CLDR rules: ``12 months``, ``360 utilisateurs``.

        The unit's forms come from the catalog (``UNIT_FORMS`` in labels.py); without a
        translation they are the English ones, and a unit the table does not know prints as
        the catalogue wrote it (``12 widgets``).
        """
        shown = _shown(value)
        text = self.number(shown)
        forms = UNIT_FORMS.get(unit)
        if forms is None:
            return f"{text} {unit}".rstrip()
        translated = self.plurals.get(forms[0])
        if translated:
            pick = translated[min(plural_index(self.locale, shown), len(translated) - 1)]
        else:
            pick = forms[plural_index("en", shown)]
        return pick.format(n=text)

    def pct(self, value: Decimal | None) -> str:
        """A percent given as 15 (not 0.15): ``15 %``, ``12.5 %``; rounded half-up to 0.01."""
        if value is None:
            return ""
        # Babel would round a third decimal half-even (12.345 -> 12.34): round it here, half-up
        shown = value.quantize(_PCT_STEP, rounding=ROUND_HALF_UP)
        loc = _formatting_locale(self.locale, money=False)
        return _restore_group(format_percent(shown / Decimal(100), format=_pct_pattern(self.locale),
                                             locale=loc), loc)

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

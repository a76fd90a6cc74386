"""Shared pieces of the input models: the base class, safe text, exact-decimal and date types."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from docgen.limits import MAX_TEXT, date_problem, number_problem

__all__ = ["MAX_TEXT", "Amount", "Code", "CurrencyCode", "Day", "Input", "LocaleCode", "Pct",
           "Quantity", "Text", "Word"]

#: Characters that cannot appear in a document: C0 and C1 controls (tab, LF and CR are allowed),
#: DEL, U+2028/U+2029 (line and paragraph separators, which break a line where the document
#: does not), surrogates and the non-characters U+FFFE/U+FFFF. Bidi controls are not here:
#: CUS005 reports them as a finding on the texts that reach a document.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff"
                      "\ud800-\udfff]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _no_control(value: str) -> str:
    m = _CONTROL.search(value)
    if m:
        msg = (f"contains the control character U+{ord(m.group()):04X} at position "
               f"{m.start() + 1}, which cannot appear in a document")
        raise ValueError(msg)
    return value


def _day(value: Any) -> Any:
    """A date from a date or its ISO text, within MIN_DATE..MAX_DATE; docgen's own messages."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time() or value.tzinfo is not None:
            msg = "must be a date (YYYY-MM-DD), not a date and time"
            raise ValueError(msg)  # noqa: TRY004 - pydantic wants ValueError
        value = value.date()
    elif isinstance(value, str):
        if not _ISO_DATE.fullmatch(value):
            msg = f"{value[:40]!r} is not a date (write YYYY-MM-DD)"
            raise ValueError(msg)
        try:
            value = date.fromisoformat(value)
        except ValueError:
            msg = f"{value} is not a real date"
            raise ValueError(msg) from None
    elif not isinstance(value, date):
        msg = "must be a date (YYYY-MM-DD)"
        raise ValueError(msg)  # noqa: TRY004
    if problem := date_problem(value):
        raise ValueError(problem)
    return value


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        msg = 'must be an exact decimal (write it as text, e.g. "12.50"), not a binary float'
        raise ValueError(msg)  # noqa: TRY004 - pydantic wants ValueError
    if isinstance(value, bool):
        msg = "must be a number, not true/false"
        raise ValueError(msg)  # noqa: TRY004
    if isinstance(value, str) and (problem := number_problem(value.strip())):
        raise ValueError(problem)
    return value


Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_no_control)]
Word = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_control)]


def _known_locale(value: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(value)
    except (UnknownLocaleError, ValueError):
        msg = f"{value!r} is not a locale Babel knows (e.g. en, en_US, de_DE, fr_FR, ja_JP)"
        raise ValueError(msg) from None
    return value


#: A locale Babel knows (``en``, ``de_DE``): what documents and mails are written in.
LocaleCode = Annotated[Word, AfterValidator(_known_locale)]
Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{0,63}$")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[Decimal, BeforeValidator(_no_float),
                   Field(allow_inf_nan=False, max_digits=18, decimal_places=4)]
Pct = Annotated[Decimal, BeforeValidator(_no_float),
                Field(allow_inf_nan=False, max_digits=9, decimal_places=4)]
Quantity = Annotated[Decimal, BeforeValidator(_no_float),
                     Field(allow_inf_nan=False, max_digits=12, decimal_places=3)]
#: A calendar date between MIN_DATE and MAX_DATE (:mod:`docgen.limits`).
Day = Annotated[date, BeforeValidator(_day)]


class Input(BaseModel):
    """Base of every input model: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

"""Every documented limit on input, in one place: file size, nesting, list length, digits, dates.

Each limit is far above what a real catalogue, policy or deal needs and low enough that hostile
input is refused quickly and in little memory (a 20 MB YAML list is refused before it is read; a
maximal accepted file loads in well under a second). Input past a limit is refused with exit 2,
naming the file, the line and the field. The README's "Limits" table lists these constants.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

__all__ = ["MAX_CONSUMPTION_DAYS", "MAX_DATE", "MAX_DEPTH", "MAX_EVIDENCE_BYTES",
           "MAX_FILE_BYTES", "MAX_ITEMS",
           "MAX_LINES", "MAX_NUMBER_DIGITS", "MAX_TEXT", "MAX_VALUES", "MAX_VALUES_PER_CHAR",
           "MIN_DATE", "date_problem", "number_problem"]

#: Largest input file docgen reads (4 MiB); a bigger one is refused before it is opened. A
#: 10,000-line deal of catalogue lines is about 0.6 MB, a 2,000-line one a few hundred KB.
MAX_FILE_BYTES = 4 * 1024 * 1024
#: Largest file `docgen evidence add` attaches (20 MiB: a scanned, signed application or
#: contract); it is kept in the database, so every machine sharing it sees the same bytes.
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted (docgen's formats need fewer than 10 levels).
MAX_DEPTH = 64
#: Most items in one list, or keys in one mapping, of any input file (a deal has at most
#: MAX_LINES lines; the catalogue's SKU list is the other long one).
MAX_ITEMS = 20_000
#: Most values (scalars, lists and mappings) one file may hold: a 10,000-line deal holds about
#: 70,000. Counting stops the reader at the first value past the limit, so a long list costs
#: no more than this many values' worth of time and memory.
MAX_VALUES = 200_000
#: Values a file may expand to per character of its text: YAML aliases can make a small file
#: expand exponentially ("billion laughs"); an alias-free file never exceeds one per character.
MAX_VALUES_PER_CHAR = 4
#: Most lines a deal may have (a 900-line PO is about 20 pages).
MAX_LINES = 10_000
#: Longest free text docgen accepts in one field (the SOW scope is the largest).
MAX_TEXT = 100_000
#: Most digits in a number, before or after the point (amounts have at most 18). Longer numbers,
#: and exponents that would write out longer, are refused rather than read.
MAX_NUMBER_DIGITS = 24
#: Earliest and latest date docgen accepts anywhere (contract start, go-live, evidence, SKU
#: effective dates). Arithmetic on them (use-by dates, the onboarding plan, valid-until dates)
#: stays far inside what Python's dates can hold.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)
#: Longest use-by period of a SKU (`consumption_days`): 100 years.
MAX_CONSUMPTION_DAYS = 36_500


def _short(text: str) -> str:
    return text if len(text) <= 16 else f"{text[:12]}…"


def number_problem(text: str) -> str | None:
    """Why the number written `text` is too big (or too small) to read, or None.

    Counts digits without converting, so that a 5,000-digit integer costs nothing; an exponent
    counts as the digits it would write out.
    """
    if len(text) <= MAX_NUMBER_DIGITS and "e" not in text and "E" not in text:
        return None  # the common case, decided without counting
    digits = sum(c.isdigit() for c in text)
    too_many = f"{_short(text)} has {digits} digits; docgen reads numbers of at most " \
               f"{MAX_NUMBER_DIGITS} digits"
    if digits > MAX_NUMBER_DIGITS:
        return too_many
    if "e" in text or "E" in text:
        try:
            value = Decimal(text.replace("_", ""))
        except InvalidOperation:
            return None  # not a number at all: the schema says so
        if value.is_finite() and value and abs(value.adjusted()) >= MAX_NUMBER_DIGITS:
            return f"{_short(text)} is out of range; docgen reads numbers of at most " \
                   f"{MAX_NUMBER_DIGITS} digits"
    return None


def date_problem(day: date) -> str | None:
    """Why `day` is outside the dates docgen accepts, or None."""
    if MIN_DATE <= day <= MAX_DATE:
        return None
    return f"{day.isoformat()} is outside the dates docgen accepts ({MIN_DATE.isoformat()} to " \
           f"{MAX_DATE.isoformat()})"

"""Shared pieces of the input models: the base class, safe text and exact-decimal types."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

__all__ = ["Amount", "Code", "CurrencyCode", "Input", "Pct", "Quantity", "Text", "Word"]

#: Characters that cannot appear in a PDF or DOCX (XML 1.0) document. Tab, LF and CR are allowed.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")

#: Longest free text docgen accepts in one field (the SOW scope is the largest).
MAX_TEXT = 100_000


def _no_control(value: str) -> str:
    m = _CONTROL.search(value)
    if m:
        msg = (f"contains the control character U+{ord(m.group()):04X} at position "
               f"{m.start() + 1}, which cannot appear in a document")
        raise ValueError(msg)
    return value


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        msg = 'must be an exact decimal (write it as text, e.g. "12.50"), not a binary float'
        raise ValueError(msg)  # noqa: TRY004 - pydantic wants ValueError
    if isinstance(value, bool):
        msg = "must be a number, not true/false"
        raise ValueError(msg)  # noqa: TRY004
    return value


Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_no_control)]
Word = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_control)]
Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{0,63}$")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[Decimal, BeforeValidator(_no_float),
                   Field(allow_inf_nan=False, max_digits=18, decimal_places=4)]
Pct = Annotated[Decimal, BeforeValidator(_no_float),
                Field(allow_inf_nan=False, max_digits=9, decimal_places=4)]
Quantity = Annotated[Decimal, BeforeValidator(_no_float),
                     Field(allow_inf_nan=False, max_digits=12, decimal_places=3)]


class Input(BaseModel):
    """Base of every input model: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

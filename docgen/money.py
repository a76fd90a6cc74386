"""Money: a frozen Decimal amount with its currency, and the one rounding rule.

Every amount is rounded with :func:`quantize` to the currency's minor unit (ISO 4217 via Babel:
JPY 0, EUR 2, BHD 3) using ROUND_HALF_UP. There is no other rounding default in docgen, and no float
ever becomes money.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

__all__ = ["Money", "minor_unit", "quantize"]


@lru_cache(maxsize=256)
def minor_unit(currency: str) -> int:
    """Number of decimals of `currency` (JPY 0, EUR 2, BHD 3)."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency))


@lru_cache(maxsize=256)
def _exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` half-up to the minor unit of `currency`; never returns negative zero."""
    if not isinstance(amount, Decimal):
        msg = f"money must be Decimal, got {type(amount).__name__}"
        raise TypeError(msg)
    rounded = amount.quantize(_exponent(currency), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Arithmetic across currencies raises ValueError."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            msg = f"Money amount must be Decimal, got {type(self.amount).__name__}"
            raise TypeError(msg)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in `currency`, at the currency's precision."""
        return cls(quantize(Decimal(0), currency), currency)

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        """`amount` rounded to `currency`'s minor unit."""
        return cls(quantize(amount, currency), currency)

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """The sum of `amounts`, each in `currency` (ValueError otherwise; TypeError for
        anything but Money); zero at the currency's precision when there are none. One
        addition of amounts per item, not one Money per partial sum as ``sum()`` makes."""
        result = quantize(Decimal(0), currency)
        for m in amounts:
            if not isinstance(m, Money):
                msg = f"cannot combine Money with {type(m).__name__}"
                raise TypeError(msg)
            if m.currency != currency:
                msg = f"cannot combine {currency} with {m.currency}"
                raise ValueError(msg)
            result += m.amount
        return cls(result, currency)

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            msg = f"cannot combine Money with {type(other).__name__}"
            raise TypeError(msg)
        if other.currency != self.currency:
            msg = f"cannot combine {self.currency} with {other.currency}"
            raise ValueError(msg)

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __radd__(self, other: object) -> Money:
        if other == 0:  # so that sum() works without a start value
            return self
        return self.__add__(other)  # type: ignore[arg-type]

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        """True when the amount is zero."""
        return self.amount.is_zero()

    def rounded(self) -> Money:
        """This amount rounded to the currency's minor unit."""
        return Money(quantize(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

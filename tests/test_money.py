"""Money and the one rounding rule."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from docgen.money import Money, minor_unit, quantize


@pytest.mark.parametrize(("amount", "currency", "expected"), [
    # half-up, never banker's rounding
    ("2.675", "USD", "2.68"), ("2.665", "USD", "2.67"), ("0.125", "EUR", "0.13"),
    ("1.005", "EUR", "1.01"), ("0.5", "JPY", "1"), ("2.5", "JPY", "3"), ("1234.4", "JPY", "1234"),
    ("10.0005", "BHD", "10.001"), ("10.0004", "BHD", "10.000"),
    ("-2.665", "USD", "-2.67"), ("-0.004", "USD", "0.00"), ("-0.4", "JPY", "0"),
])
def test_quantize_rounds_half_up_to_the_minor_unit(amount: str, currency: str,
                                                   expected: str) -> None:
    out = quantize(D(amount), currency)
    assert str(out) == expected
    assert not (out.is_zero() and out.is_signed())  # no negative zero


def test_minor_units_come_from_iso_4217() -> None:
    assert (minor_unit("JPY"), minor_unit("EUR"), minor_unit("BHD")) == (0, 2, 3)


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        quantize(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="EUR with USD"):
        Money(D(1), "EUR") + Money(D(1), "USD")


def test_money_sums_and_compares() -> None:
    items = [Money(D("1.10"), "EUR"), Money(D("2.20"), "EUR")]
    assert sum(items, Money.zero("EUR")) == Money(D("3.30"), "EUR")
    assert sum(items) == Money(D("3.30"), "EUR")
    assert Money(D(1), "EUR") < Money(D(2), "EUR")
    assert Money.zero("JPY") == Money(D(0), "JPY")
    assert Money.of(D("2.665"), "USD").amount == D("2.67")


def test_money_total_sums_one_currency_and_refuses_others() -> None:
    items = [Money(D("1.10"), "EUR"), Money(D("2.20"), "EUR"), Money(D("0.01"), "EUR")]
    assert Money.total(items, "EUR") == sum(items) == Money(D("3.31"), "EUR")
    assert str(Money.total([], "JPY").amount) == "0"  # zero at the currency's precision
    assert str(Money.total([], "BHD").amount) == "0.000"
    assert str(Money.total(iter(items), "EUR").amount) == "3.31"  # any iterable, once
    with pytest.raises(ValueError, match="EUR with USD"):
        Money.total([*items, Money(D(1), "USD")], "EUR")
    with pytest.raises(TypeError):
        Money.total([D(1)], "EUR")  # type: ignore[list-item]

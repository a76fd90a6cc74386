"""The library-backed checks behind CUS001, CUS002 and CUS004, as tables."""

from __future__ import annotations

import pytest

from docgen.rules.customer import (POSTAL_CODES, email_problem, iso_countries, postal_code_fits,
                                   vat_problem)
from docgen.workspace import Workspace, sample_root


def test_postal_patterns_cover_every_policy_territory() -> None:
    # given
    policy = Workspace(sample_root()).policy
    # then
    assert set(policy.territories) <= set(POSTAL_CODES)


@pytest.mark.parametrize(("country", "code", "fits"), [
    ("US", "94105", True), ("US", "60606-1234", True), ("US", "9410", False),
    ("CA", "K1A 0B1", True), ("CA", "k1a0b1", True), ("CA", "D1A 0B1", False),
    ("GB", "RG1 3AR", True), ("GB", "SW1A 1AA", True), ("GB", "EC1A1BB", True),
    ("GB", "M1 1AE", True), ("GB", "GIR 0AA", True), ("GB", "QQ1 1AA", False),
    ("FR", "75004", True), ("FR", "7500", False),
    ("DE", "10115", True), ("DE", "1011", False), ("DE", "D-10115", False),
    ("ES", "28013", True), ("ES", "53000", False),
    ("IT", "00184", True), ("IT", "0018", False),
    ("NL", "1015 CW", True), ("NL", "1015CW", True), ("NL", "1015 SA", False),
    ("NL", "0123 AB", False),
    ("JP", "100-0005", True), ("JP", "1000005", True), ("JP", "100-005", False),
    ("IN", "110001", True), ("IN", "560 001", True), ("IN", "012345", False),
    ("AU", "2000", True), ("AU", "200", False),
    ("SG", "018956", True), ("SG", "18956", False),
    ("IE", "D02 X285", True), ("IE", "D6W 1234", True), ("IE", "ZZ1 1234", False),
    ("BG", "anything", True),  # no pattern: presence only
])
def test_postal_code_fits_country(country: str, code: str, fits: bool) -> None:
    assert postal_code_fits(country, code) is fits


@pytest.mark.parametrize(("code", "known"), [
    ("DE", True), ("GB", True), ("US", True), ("JP", True), ("HK", True), ("XK", True),
    ("UK", False), ("EU", False), ("ZZ", False), ("de", False), ("001", False),
])
def test_iso_countries_from_babel(code: str, known: bool) -> None:
    assert (code in iso_countries()) is known


def test_iso_countries_are_the_territories_cldr_names_in_english() -> None:
    # the set comes from CLDR's territory table (cheap to load); it must be exactly the
    # two-letter territories the English names list, less the non-ISO reservations
    from babel import Locale

    from docgen.rules.customer import _NOT_ISO

    named = {code for code in Locale("en").territories
             if len(code) == 2 and code.isalpha() and code not in _NOT_ISO}
    assert iso_countries() == named
    assert len(named) > 240


@pytest.mark.parametrize(("vat_id", "country", "valid"), [
    ("DE123456788", "DE", True), ("DE123456789", "DE", False), ("123456788", "DE", True),
    ("FR40303265045", "FR", True), ("FR40303265045", "DE", True),  # the prefix decides
    ("EL094259216", "GR", True), ("XI980780684", "GB", True), ("GB980780684", "GB", True),
    ("GB12345", "GB", False), ("CHE-116.281.710 MWST", "CH", True),
    ("T4010001234567", "JP", True), ("T1234567890123", "JP", False),
    ("27AAPFU0939F1ZV", "IN", True), ("51 824 753 556", "AU", True),
    ("12-3456789", "US", True),  # no VAT in the US: not checked
    ("ZZ1234", "DE", False),
])
def test_vat_problem_uses_stdnum_by_prefix_or_country(vat_id: str, country: str,
                                                      valid: bool) -> None:
    assert (vat_problem(vat_id, country) is None) is valid


@pytest.mark.parametrize(("address", "valid"), [
    ("ap@acme-retail.example", True), ("rechnung@müller-handel.example", True),
    ("first.last+po@sub.example.com", True),
    ("ap@acme", False), ("ap@@acme.example", False), ("ap@acme.test", False),
    ("ap acme@example.com", False), ("", False),
])
def test_email_problem_uses_email_validator(address: str, valid: bool) -> None:
    assert (email_problem(address) is None) is valid
